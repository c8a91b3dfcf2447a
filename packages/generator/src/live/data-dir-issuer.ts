import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTokenIssuer, type TokenIssuer } from '@trec/fastify-kit'

/**
 * The development token issuer of an embedded server: the key `npm start` keeps in its data
 * directory (`dev-secrets.json`, written by services/app/src/dev-secrets.ts), as `npm run token`
 * signs with it. Never makes a key: a token the server cannot verify would only be refused.
 */
export async function dataDirIssuer(
  dataDir: string,
  issuer = 'trec-dev',
  audience = 'trec-api',
): Promise<TokenIssuer> {
  const file = join(dataDir, 'dev-secrets.json')
  let secrets: { issuerJwk?: Parameters<typeof createTokenIssuer>[2] }
  try {
    secrets = JSON.parse(await readFile(file, 'utf8'))
  } catch {
    throw new Error(
      `no development key in ${file}: start the server first (npm start), or give --data-dir the TREC_DATA_DIR it runs with`,
    )
  }
  if (!secrets.issuerJwk) throw new Error(`${file} holds no token key (issuerJwk)`)
  return createTokenIssuer(issuer, audience, secrets.issuerJwk)
}
