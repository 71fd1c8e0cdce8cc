/** HTML escaping for every value that reaches a page: RelayState, names, messages (reference §4.1 #9). */
export function h(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The frame every page of the lab shares: a plain, centred card in the lab's style. Pages work
 * without JavaScript so that scripted clients and headless browsers alike get through.
 */
export function pageLayout(p: { title: string; header: string; body: string; footer: string }): string {
  return `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(p.title)}</title>
<style>
body{font-family:"Segoe UI","Helvetica Neue",Arial,sans-serif;background:#f2f2f2;margin:0;color:#262626}
#contentWrapper{max-width:440px;margin:60px auto;background:#fff;padding:36px 44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
#header{font-size:20px;margin-bottom:24px;color:#2672ec}
label{display:block;margin:12px 0 4px;font-size:14px}
input[type=text],input[type=email],input[type=password],select{width:100%;box-sizing:border-box;padding:7px;font-size:15px;border:1px solid #bbb}
.submit{margin-top:20px;background:#2672ec;color:#fff;border:0;padding:8px 20px;font-size:15px;cursor:pointer}
.secondary{margin-top:20px;background:#fff;color:#2672ec;border:1px solid #2672ec;padding:7px 20px;font-size:15px;cursor:pointer}
#errorText{color:#c00;font-size:14px;display:block;margin-top:12px}
.details{font-family:Consolas,monospace;font-size:12px;background:#f8f8f8;padding:10px;white-space:pre-wrap;word-break:break-all}
ul.scopes{font-size:14px;padding-left:20px}
footer{font-size:11px;color:#777;margin-top:28px}
</style></head>
<body><div id="contentWrapper"><div id="header">${h(p.header)}</div>
${p.body}
<footer>${h(p.footer)}</footer>
</div></body></html>`;
}
