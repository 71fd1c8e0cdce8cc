import { inflateRawSync } from 'node:zlib';
import { readForm, UserAgent, type UaResponse } from '../../clients/user-agent.js';
import { expectThat, ScenarioFailure, type ScenarioContext } from '../scenario.js';

/** The console's built-in sample SP (fixtures/adfs/relying-parties.json "idp-harness sample SP"). */
export const SAMPLE_SP_ENTITY_ID = 'urn:idp-harness:sample-sp';

/** A SAML response as AD FS's "Working..." page would auto-POST it. */
export interface PostedResponse {
  /** Where the page posts it (the SP's ACS). */
  action: string;
  /** The base64 `SAMLResponse` field, as posted. */
  samlResponse: string;
  relayState: string | undefined;
  xml: string;
}

export interface SignIn {
  response: PostedResponse;
  /** The AuthnRequest's ID (SP-initiated), which the response must answer (InResponseTo). */
  requestId: string | undefined;
  /** Whether AD FS showed its sign-in form (false when an AD FS session was reused). */
  loginShown: boolean;
}

/**
 * A scripted browser in front of the sample SP and AD FS: it starts sign-ins (SP-initiated through
 * `/sample-sp/login`, IdP-initiated at `IdpInitiatedSignOn.aspx?loginToRp=`), fills AD FS's forms
 * sign-in page, and stops at the "Working..." page, so the scenario can verify the response itself
 * before (or instead of) delivering it to the sample SP's ACS.
 */
export class SampleSpBrowser {
  readonly ua: UserAgent;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly user: { username: string; password: string },
  ) {
    this.ua = new UserAgent(ctx.target.ca === undefined ? {} : { ca: ctx.target.ca });
  }

  get consoleUrl(): string {
    const url = this.ctx.target.urls.console;
    expectThat(url, 'the console is not running');
    return url;
  }

  get acsUrl(): string {
    return `${this.consoleUrl}/sample-sp/acs`;
  }

  /** SP-initiated: the sample SP's AuthnRequest by HTTP-Redirect or HTTP-POST (saml-bindings §3.4, §3.5). */
  async spInitiated(binding: 'redirect' | 'post'): Promise<SignIn> {
    const start = await this.ua.get(`${this.consoleUrl}/sample-sp/login?binding=${binding}`);
    let page: UaResponse;
    let requestXml: string;
    if (binding === 'redirect') {
      expectThat(start.status === 302 && start.location, `the sample SP answered ${start.status} instead of redirecting to AD FS`);
      const to = new URL(start.location, start.url);
      const message = to.searchParams.get('SAMLRequest');
      expectThat(message, 'the redirect carries no SAMLRequest');
      requestXml = inflateRawSync(Buffer.from(message, 'base64')).toString('utf8');
      page = await this.ua.get(to.toString());
    } else {
      expectThat(start.status === 200, `the sample SP answered ${start.status} instead of its auto-POST page`);
      const form = readForm(start.body, start.url);
      const message = form.fields['SAMLRequest'];
      expectThat(message, 'the auto-POST page carries no SAMLRequest');
      requestXml = Buffer.from(message, 'base64').toString('utf8');
      page = await this.ua.post(form.action, form.fields);
    }
    const requestId = /\bID="([^"]+)"/.exec(requestXml)?.[1];
    expectThat(requestId, 'the AuthnRequest has no ID');
    return { ...(await this.finish(page)), requestId };
  }

  /** IdP-initiated (AD FS `IdpInitiatedSignOn.aspx?loginToRp=<RP identifier>`): an unsolicited response. */
  async idpInitiated(rpIdentifier: string): Promise<SignIn> {
    const adfs = this.ctx.target.urls.adfs;
    expectThat(adfs, 'the adfs service is not running');
    const page = await this.ua.get(`${adfs}/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=${encodeURIComponent(rpIdentifier)}`);
    return { ...(await this.finish(page)), requestId: undefined };
  }

  /** Posts the response to its ACS as the auto-POST page would, and reads the sample SP's verdict. */
  async deliver(response: PostedResponse): Promise<SampleSpVerdict> {
    const form: Record<string, string> = { SAMLResponse: response.samlResponse };
    if (response.relayState !== undefined) form['RelayState'] = response.relayState;
    const res = await this.ua.post(response.action, form);
    const text = (id: string) => {
      const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(res.body);
      return m ? decodeEntities(m[1]!.replace(/<[^>]*>/g, '')) : undefined;
    };
    if (res.status === 200 && /id="signedIn"/.test(res.body)) return { signedIn: true, nameId: text('nameId') ?? '', status: res.status };
    return { signedIn: false, error: text('signInError') ?? res.body.slice(0, 200), status: res.status };
  }

  /** From wherever AD FS answered: the sign-in form if shown, up to the "Working..." page. */
  private async finish(first: UaResponse): Promise<Omit<SignIn, 'requestId'>> {
    let page = first;
    let loginShown = false;
    if (page.status === 200 && /id="loginForm"/.test(page.body)) {
      loginShown = true;
      const form = readForm(page.body, page.url);
      page = await this.ua.post(form.action, { ...form.fields, UserName: this.user.username, Password: this.user.password });
    }
    if (page.status !== 200 || !/<title>Working\.\.\.<\/title>/.test(page.body)) {
      const code = page.headers['x-idp-harness-error'];
      const at = new URL(page.url);
      throw new AdfsRefusal(`AD FS did not post a response (HTTP ${page.status}${code ? `, ${String(code)}` : ''} at ${at.origin}${at.pathname})`, typeof code === 'string' ? code : undefined);
    }
    const form = readForm(page.body, page.url);
    const samlResponse = form.fields['SAMLResponse'];
    expectThat(samlResponse, 'the Working... page carries no SAMLResponse');
    return {
      response: { action: form.action, samlResponse, relayState: form.fields['RelayState'], xml: Buffer.from(samlResponse, 'base64').toString('utf8') },
      loginShown,
    };
  }
}

/**
 * AD FS answered with a page instead of a response: `code` is the lab's stable code
 * (`X-Idp-Harness-Error`, e.g. ERR_SAML_UNKNOWN_RELYING_PARTY), which the report shows as the
 * failure's type.
 */
export class AdfsRefusal extends ScenarioFailure {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export type SampleSpVerdict = { signedIn: true; nameId: string; status: number } | { signedIn: false; error: string; status: number };

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
}
