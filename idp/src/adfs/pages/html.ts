/** HTML escaping for every value that reaches a page: RelayState, names, messages (reference §4.1 #9). */
export function h(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The frame every AD FS page shares: a plain, centred "Sign In" layout in the lab's style. */
export function layout(title: string, serviceName: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>
body{font-family:"Segoe UI","Helvetica Neue",Arial,sans-serif;background:#f2f2f2;margin:0;color:#262626}
#contentWrapper{max-width:440px;margin:60px auto;background:#fff;padding:36px 44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
#header{font-size:20px;margin-bottom:24px;color:#2672ec}
label{display:block;margin:12px 0 4px;font-size:14px}
input[type=text],input[type=email],input[type=password],select{width:100%;box-sizing:border-box;padding:7px;font-size:15px;border:1px solid #bbb}
.submit{margin-top:20px;background:#2672ec;color:#fff;border:0;padding:8px 20px;font-size:15px;cursor:pointer}
#errorText{color:#c00;font-size:14px;display:block;margin-top:12px}
.details{font-family:Consolas,monospace;font-size:12px;background:#f8f8f8;padding:10px;white-space:pre-wrap;word-break:break-all}
footer{font-size:11px;color:#777;margin-top:28px}
</style></head>
<body><div id="contentWrapper"><div id="header">${h(serviceName)}</div>
${body}
<footer>idp-harness — an offline AD FS emulation for testing. Not a real identity provider.</footer>
</div></body></html>`;
}
