/** What `--live` was given on the command line. */
export interface LiveOptions {
  /** The lab's console URL (`--lab`). */
  lab: string;
  /** The CXone user to sign in as (`--user`): an existing one is reassigned for the test, else a temporary one is created. */
  user: string;
  /** The password at the IdP (`--password`). */
  password: string;
  /** The user name typed at the IdP (`--idp-user`, default `--user`). */
  idpUser: string | undefined;
  /** The user's CXone External Identity during the test (`--external-identity`). */
  externalIdentity: string | undefined;
  /** OIDC against a partner OP: the client registered there (`--client-id`, `--client-secret`, `--client-auth`). */
  clientId: string | undefined;
  clientSecret: string | undefined;
  clientAuth: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | undefined;
  /** OIDC with FICAM: the acr value CXone requests (`--acr`). */
  acr: string | undefined;
  ficam: boolean;
  /** Keep the authenticator for a next run (`--keep`), so what the IdP registered stays valid. */
  keep: boolean;
  /** Trust anchors for the lab and the IdP (`--ca`). */
  ca: string[];
}
