import type { Platform } from '@trec/fastify-kit'
import type { ResolvedAuditOptions } from '../options.ts'

// The log's public keys, every key that ever signed with its validity window, in the two forms
// auditors use: a JWKS (JOSE) and note verifier keys (C2SP signed-note, one per line). Public:
// they are public keys, and witnesses fetch them too. Auditors should still pin keys they got
// out of band: whoever runs this endpoint can change it (README of @trec/merkle).

export function keyRoutes(app: Platform, o: ResolvedAuditOptions): void {
  const jwks = o.keys.toJwks()
  const note = `${o.keys.toNoteVerifierKeys().join('\n')}\n`
  app.get(
    '/v1/audit/keys.jwks',
    {
      config: { auth: { public: true } },
      schema: {
        summary: 'Checkpoint signing keys as a JWKS, with validity windows',
        tags: ['audit'],
      },
    },
    async (_request, reply) => reply.type('application/jwk-set+json').send(jwks),
  )
  app.get(
    '/v1/audit/keys.note',
    {
      config: { auth: { public: true } },
      schema: { summary: 'Checkpoint signing keys as note verifier keys, one per line', tags: ['audit'] },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send(note),
  )
}
