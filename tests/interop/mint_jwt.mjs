// Test-only token mint for tests/integration/test_oauth.sh, on node:crypto.
//   node mint_jwt.mjs keys DIR
//       makes an RSA 2048 key (kid rsa-1), an EC P-256 key (kid ec-1) and a
//       stranger RSA key, writes DIR/jwks.json (public keys of the first two)
//       and DIR/keys.json (private JWKs, for the tokens command).
//   node mint_jwt.mjs tokens DIR --resource URL --issuer URL
//       prints "NAME TOKEN" lines, one per token case the test uses.
// Nothing here is used by the server; keys live only in the test's temp dir.
import { createHmac, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const [cmd, dir, ...rest] = process.argv.slice(2);
const opt = (name) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};

function makeKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pub = (k, kid, alg) => ({ ...k.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' });
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [pub(rsa, 'rsa-1', 'RS256'), pub(ec, 'ec-1', 'ES256')] }));
  const priv = (k) => k.privateKey.export({ format: 'jwk' });
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ rsa: priv(rsa), ec: priv(ec), stranger: priv(stranger) }),
                { mode: 0o600 });
}

function makeTokens() {
  const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'));
  const key = (name) => createPrivateKey({ key: keys[name], format: 'jwk' });
  const resource = opt('resource');
  const issuer = opt('issuer');
  const now = Math.floor(Date.now() / 1000);
  const base = { iss: issuer, sub: 'alice', aud: resource, iat: now, exp: now + 600, scope: 'todos:read todos:write' };

  const jws = (header, claims, signer) => {
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
    return `${input}.${signer ? b64u(signer(Buffer.from(input))) : ''}`;
  };
  const rs = (k) => (data) => sign('sha256', data, key(k));
  const es = (data) => sign('sha256', data, { key: key('ec'), dsaEncoding: 'ieee-p1363' });
  const rs256 = (claims, k = 'rsa', kid = 'rsa-1') => jws({ alg: 'RS256', typ: 'at+jwt', kid }, claims, rs(k));
  const es256 = (claims) => jws({ alg: 'ES256', typ: 'at+jwt', kid: 'ec-1' }, claims, es);

  const valid = rs256(base);
  const [h, , s] = valid.split('.');
  const out = {
    valid_rs: valid,
    valid_es: es256(base),
    read_only: es256({ ...base, scope: 'todos:read' }),
    no_scope: es256({ ...base, scope: 'profile' }),
    broad: rs256({ ...base, scope: 'todos' }),
    bob: rs256({ ...base, sub: 'bob' }),
    expired: rs256({ ...base, iat: now - 7200, exp: now - 3600 }),
    not_yet: rs256({ ...base, nbf: now + 3600 }),
    wrong_aud: rs256({ ...base, aud: 'https://other.example/mcp' }),
    wrong_iss: es256({ ...base, iss: 'https://evil.example' }),
    bad_sig: rs256(base, 'stranger'),
    tampered: `${h}.${b64u(JSON.stringify({ ...base, sub: 'admin' }))}.${s}`,
    alg_none: jws({ alg: 'none', typ: 'JWT' }, base, null),
    hs256: jws({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }, base,
               (data) => createHmac('sha256', JSON.stringify(keys.rsa.n)).update(data).digest()),
    unknown_kid: rs256(base, 'rsa', 'rsa-9'),
    no_sub: rs256({ ...base, sub: undefined }),
  };
  for (const [name, token] of Object.entries(out)) console.log(`${name} ${token}`);
}

if (cmd === 'keys') makeKeys();
else if (cmd === 'tokens') makeTokens();
else {
  console.error('usage: mint_jwt.mjs keys DIR | tokens DIR --resource URL --issuer URL');
  process.exit(2);
}
