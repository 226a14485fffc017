/**
 * The redactor's secret rules. Coverage follows the public rule sets of gitleaks (config/gitleaks.toml) and
 * Yelp's detect-secrets (detect_secrets/plugins/); the expressions are our own, written for a streaming
 * redactor: every rule is bounded in length (MAX_SECRET_LENGTH), none uses entropy, and a named group `keep`
 * marks the text kept in front of the replacement (a key name, a flag, a URL's user). Rules match the output
 * decoded as latin1, one character per byte.
 */

/** One rule: its kind (shown as `[REDACTED:<kind>]`) and a JavaScript regular expression source. */
export interface SecretRule {
  kind: string;
  source: string;
}

const EOL = String.raw`(?:\r?\n|\\r?\\n)`;
/** A bounded run of anything but a line break or a shell separator: the words of one command line. */
const ARGS = String.raw`(?:[^\r\n|;&]{0,256}?[ \t])?`;
/** A command-line value: not empty, not the next flag. */
const ARG_VALUE = String.raw`[^ \t\r\n\-"'][^ \t\r\n"']{0,255}`;
/** Values that name no secret: placeholders, empty markers, and nsswitch.conf's sources (`passwd: files`). */
const NOT_A_VALUE = String.raw`(?!["']?(?:(?:null|none|nil|true|false|undefined|redacted|files|compat|systemd|sss|ldap|nis|nisplus|winbind|dns|mdns4?(?:_minimal)?|myhostname|mymachines|resolve|altfiles|extrausers|usrfiles|hesiod|cache)(?![A-Za-z0-9_.+/=-])|\[REDACTED|\*{3,}|<[A-Za-z_ -]{0,40}>|\$\{|\$\(|\{\{|%s))`;
const PAIR_VALUE = String.raw`${NOT_A_VALUE}(?:"[^"\r\n]{1,512}"|'[^'\r\n]{1,512}'|[^ \t\r\n"'&;,]{1,256})`;
/** Tokens (STS session tokens, OAuth tokens, signatures) run to several KiB. */
const TOKEN_VALUE = String.raw`${NOT_A_VALUE}(?:"[^"\r\n]{1,4096}"|'[^'\r\n]{1,4096}'|[^ \t\r\n"'&;,]{1,4096})`;
/**
 * `word` (captured as `name`, unique in the rules) not preceded by `before`. The check runs after the word has
 * matched (a lookbehind in front would run at every position of the output: a third of the redactor's time).
 */
function notAfter(before: string, word: string, name: string): string {
  return `(?<${name}>${word})(?<!${before}\\k<${name}>)`;
}

const LONG_WORDS = '(?i:password|passwd|passphrase|secret|credentials?)';
const SHORT_WORDS =
  '(?i:pass|pwd|auth|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|client[_.-]?secret|(?:secret|encryption|signing|master|account|shared[_.-]?access|app|license)[_.-]?key(?:[_.-]?base)?)';
/** Not inside a path or an ARN segment. */
const IN_PATH = '[/:][A-Za-z0-9_.-]{0,64}';

/** Token-named keys, whose values may be long. */
const TOKEN_KEY = `(?:${notAfter(IN_PATH, '(?i:token)', 'tk1')}|${notAfter('[A-Za-z]', '(?i:sas[_.-]?token|x-amz-security-token|x-amz-signature|client[_.-]key[_.-]data)', 'tk2')})`;
/** `key = value`, `key: value`, `"key": "value"`: the separator after a secret-named key. */
const PAIR_SEPARATOR = String.raw`["']?[ \t]{0,64}(?::|=(?!=))[ \t]{0,64}`;

/**
 * Secret-named keys. Words that may end a longer name (`db_password`, `javax.net.ssl.keyStorePassword`)
 * take any prefix except inside a path or an ARN segment (`/etc/passwd:`, `/run/secrets/db-password`, `:secret:`); short words need a
 * separator or nothing in front (`DB_PASS`, `MYSQL_PWD`, not `bypass`, `OLDPWD`); `PWD=/path` is a directory.
 */
const SECRET_KEY = `(?:${notAfter(IN_PATH, LONG_WORDS, 'sk1')}|${notAfter('[A-Za-z]', SHORT_WORDS, 'sk2')}(?<![pP][wW][dD](?=${PAIR_SEPARATOR}["']?[/~])))`;

/** Private key blocks, terminated or not: the BEGIN line and the key-shaped lines after it, never the text after. */
const KEY_LINE = String.raw`(?:[A-Za-z0-9+/=]{1,4096}|[A-Za-z-]{1,24}: [^\r\n\\]{1,64}|[ \t]{0,8}(?=${EOL}[A-Za-z0-9+/=]))(?=${EOL}|$)`;
const PRIVATE_KEY = `-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----(?:${EOL}${KEY_LINE}){0,160}(?:${EOL}-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----)?`;

/**
 * Rewrites each `(?i:…)` group as a case-insensitive group spelled out (`[sS][eE]…`). Node 24's irregexp
 * misses matches of `(?i:…)` groups with many alternatives behind a lookbehind (`SECRET_KEY=` went
 * unmatched while `secret_key=` matched); spelling the cases out avoids the modifier. Letters inside
 * character classes and after a backslash are left alone (the groups here use none that need folding, and no
 * named groups).
 */
function spellOutCase(source: string): string {
  let out = '';
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i] as string;
    if (depth === 0 && source.startsWith('(?i:', i)) {
      out += '(?:';
      depth = 1;
      i += 3;
      continue;
    }
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (depth > 0) {
      if (inClass) inClass = c !== ']';
      else if (c === '[') inClass = true;
      else if (c === '(') depth += 1;
      else if (c === ')') depth -= 1;
      else if (/[a-z]/i.test(c)) {
        out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
        continue;
      }
    }
    out += c;
  }
  return out;
}

const RULES: readonly SecretRule[] = [
  { kind: 'private-key', source: PRIVATE_KEY },
  {
    kind: 'aws-secret-key',
    source: String.raw`(?<keep>(?i:aws_?secret(?:_?access)?_?key|secret_?access_?key)["']?[ \t]{0,64}[:=][ \t]{0,64}["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])`,
  },
  {
    kind: 'aws-access-key-id',
    source:
      'A(?:KIA|SIA|ROA|IDA|GPA|NPA|NVA|IPA|3T[A-Z0-9])(?<![A-Z0-9]A(?:KIA|SIA|ROA|IDA|GPA|NPA|NVA|IPA|3T[A-Z0-9]))[A-Z0-9]{16}(?![A-Z0-9])',
  },
  {
    kind: 'github-token',
    source: '(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})',
  },
  {
    kind: 'gitlab-token',
    source: '(?<![A-Za-z0-9_-])gl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|ffct)-[A-Za-z0-9_-]{20,64}',
  },
  {
    kind: 'slack-token',
    source: 'x(?:ox[abposre]|app-[0-9])-(?<![A-Za-z0-9]x(?:ox[abposre]|app-[0-9])-)[A-Za-z0-9-]{10,250}',
  },
  {
    kind: 'slack-webhook',
    source: String.raw`(?<keep>https?://hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_+-]{8,256}`,
  },
  {
    kind: 'discord-webhook',
    source: String.raw`(?<keep>https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/)[0-9]{5,30}/[A-Za-z0-9_-]{20,200}`,
  },
  {
    kind: 'stripe-key',
    source: '(?<![A-Za-z0-9])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9]{24,64})',
  },
  { kind: 'google-api-key', source: '(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])' },
  {
    kind: 'google-oauth',
    source: String.raw`(?<![A-Za-z0-9])(?:ya29\.[0-9A-Za-z_-]{20,2048}|GOCSPX-[A-Za-z0-9_-]{28})`,
  },
  {
    kind: 'openai-key',
    source:
      '(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200}',
  },
  { kind: 'anthropic-key', source: '(?<![A-Za-z0-9_-])sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,120}' },
  { kind: 'npm-token', source: '(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])' },
  { kind: 'pypi-token', source: 'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,1000}' },
  { kind: 'sendgrid-key', source: String.raw`(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}` },
  { kind: 'twilio-key', source: '(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])' },
  { kind: 'mailgun-key', source: '(?<![A-Za-z0-9_-])key-[0-9a-z]{32}(?![A-Za-z0-9])' },
  { kind: 'shopify-token', source: '(?<![A-Za-z0-9])shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}' },
  { kind: 'digitalocean-token', source: '(?<![A-Za-z0-9])do[opr]_v1_[a-f0-9]{64}' },
  { kind: 'vault-token', source: String.raw`(?<![A-Za-z0-9])hv[sbr]\.[A-Za-z0-9_-]{24,512}` },
  {
    // The 14-character id in front of `.atlasv1.` stays; the secret is the part after it.
    kind: 'terraform-token',
    source: String.raw`(?<=(?<![A-Za-z0-9])[A-Za-z0-9]{14})\.atlasv1\.[A-Za-z0-9_=-]{60,90}`,
  },
  {
    kind: 'doppler-token',
    source: String.raw`(?<![A-Za-z0-9])dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}`,
  },
  { kind: 'huggingface-token', source: '(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])' },
  { kind: 'databricks-token', source: '(?<![A-Za-z0-9])dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9])' },
  { kind: 'postman-key', source: 'PMAK-[a-f0-9]{24}-[a-f0-9]{34}' },
  { kind: 'age-secret-key', source: 'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}' },
  {
    kind: 'grafana-token',
    source: '(?<![A-Za-z0-9_])(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2})',
  },
  { kind: 'newrelic-key', source: '(?<![A-Za-z0-9])NR(?:AK|II|JS)-[A-Za-z0-9]{19,32}' },
  { kind: 'square-token', source: '(?<![A-Za-z0-9])sq0(?:atp|csp)-[0-9A-Za-z_-]{22,60}' },
  { kind: 'dynatrace-token', source: String.raw`dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}` },
  { kind: 'atlassian-token', source: '(?<![A-Za-z0-9])ATATT3[A-Za-z0-9_=-]{100,300}' },
  {
    // The bot id in front of the colon stays; the secret is the part after it.
    kind: 'telegram-bot-token',
    source: '(?<=(?<![0-9])[0-9]{8,10}):AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])',
  },
  { kind: 'dockerhub-token', source: '(?<![A-Za-z0-9])dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,64}' },
  { kind: 'sentry-token', source: '(?<![A-Za-z0-9])sntry[su]_[A-Za-z0-9_=+/-]{40,400}' },
  { kind: 'linear-key', source: '(?<![A-Za-z0-9])lin_api_[A-Za-z0-9]{40}' },
  {
    kind: 'jwt',
    source: String.raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,1024}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,1024}`,
  },
  {
    kind: 'authorization-header',
    source: String.raw`(?<keep>(?i:authorization|proxy-authorization)["']?[ \t]{0,64}[:=][ \t]{0,64}["']?(?i:basic|token|digest|apikey|api-key|key|negotiate|ntlm|sso-key)[ \t]{1,8})[A-Za-z0-9._~+/=:-]{4,2048}`,
  },
  {
    kind: 'bearer-token',
    source: String.raw`(?<keep>(?i:bearer)[ \t]{1,64})[A-Za-z0-9._~+/-]{8,2048}={0,3}`,
  },
  {
    // The password is everything up to the last `@` before the host: it may contain `@` and `/`; the user may
    // be empty (`redis://:pw@host`).
    kind: 'url-credentials',
    source: String.raw`(?<keep>://[^ \t\r\n:/@"'<>]{0,256}:)[^ \t\r\n"'<>]{1,256}(?=@[A-Za-z0-9._-]{1,253}(?::[0-9]{1,5})?(?:[/?#"'<> \t\r\n,;)]|$))`,
  },
  { kind: 'azure-sas-signature', source: `(?<keep>[?&]sig=)[A-Za-z0-9%+/=]{20,256}` },
  {
    kind: 'mysql-password',
    source: String.raw`(?<keep>(?<![A-Za-z0-9_-])mysql[a-z]{0,8}[ \t]${ARGS}-p)[^ \t\r\n\-"'][^ \t\r\n"']{0,255}`,
  },
  {
    kind: 'redis-cli-password',
    source: String.raw`(?<keep>(?<![A-Za-z0-9_-])redis-cli[ \t]${ARGS}(?:-a|--pass)[ \t]{1,8})${ARG_VALUE}`,
  },
  {
    kind: 'curl-user-password',
    source: String.raw`(?<keep>(?<![A-Za-z0-9_-])(?:curl|wget)[ \t]${ARGS}(?:-u|--user|--proxy-user|-U|--http-user)(?:[ \t]{1,8}|=)?["']?[^ \t\r\n:"'-][^ \t\r\n:"']{0,127}:)[^ \t\r\n"']{1,256}`,
  },
  {
    kind: 'sshpass-password',
    source: String.raw`(?<keep>(?<![A-Za-z0-9_-])sshpass[ \t]{1,8}-p[ \t]{0,8})${ARG_VALUE}`,
  },
  {
    kind: 'netrc-password',
    source: String.raw`(?<keep>(?<![A-Za-z])machine[ \t]{1,8}[^ \t\r\n]{1,256}[ \t]{1,8}login[ \t]{1,8}[^ \t\r\n]{1,256}[ \t]{1,8}password[ \t]{1,8})[^ \t\r\n]{1,256}`,
  },
  {
    // A secret-named command-line flag and its separate value (`--password hunter2`): process listings
    // print full command lines. The value may not start with `-` (that is the next flag).
    kind: 'password-flag',
    source: String.raw`(?<keep>(?<![A-Za-z0-9_-])--?(?:[A-Za-z0-9]{1,32}[_-]){0,4}(?i:password|passwd|pwd|pass|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token)[ \t]{1,64})${NOT_A_VALUE}(?:"[^"\r\n]{1,512}"|'[^'\r\n]{1,512}'|[^- \t\r\n"'][^ \t\r\n]{0,4095})`,
  },
  { kind: 'password-pair', source: `(?<keep>${TOKEN_KEY}${PAIR_SEPARATOR})${TOKEN_VALUE}` },
  { kind: 'password-pair', source: `(?<keep>${SECRET_KEY}${PAIR_SEPARATOR})${PAIR_VALUE}` },
];

/** The rules, in priority order (the first alternative that matches at a position wins). */
export const SECRET_RULES: readonly SecretRule[] = RULES.map((rule) => ({
  kind: rule.kind,
  source: spellOutCase(rule.source),
}));

/** The longest text any rule can match (the private key block is the longest): the stream redactor's hold-back. */
export const MAX_SECRET_LENGTH = 17_408;
