import type { Platform } from '@trec/fastify-kit'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'

// The log's public keys, every key that ever signed with its validity window, in the two forms
// auditors use: a JWKS (JOSE) and note verifier keys (C2SP signed-note, one per line). Public:
// they are public keys, and witnesses fetch them too. Auditors should still pin keys they got
// out of band: whoever runs this endpoint can change it (README of @trec/merkle).

const signingKey = z
  .looseObject({
    kty: z.string().describe('The key type (OKP for Ed25519, EC for SM2).'),
    kid: z.string().describe('The RFC 7638 thumbprint of the key.'),
    alg: z.string().describe('The JWS algorithm the key signs with.'),
    use: z.literal('sig'),
    name: z.string().describe('The key’s name in signed notes (the log’s origin).'),
    notBefore: z.string().describe('The first instant (RFC 3339, UTC) a checkpoint it signs may carry.'),
    notAfter: z.string().optional().describe('The instant it stopped signing, for a retired key.'),
  })
  .meta({
    id: 'CheckpointSigningKey',
    description:
      'A public JWK of a checkpoint signing key, with its note name and validity window (members beyond RFC 7517 are ignored by JOSE libraries).',
  })

const keySet = z.object({ keys: z.array(signingKey) }).meta({
  id: 'CheckpointSigningKeySet',
  description:
    'Every key that ever signed checkpoints of this log, as a JWKS (RFC 7517) with validity windows.',
  example: {
    keys: [
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
        kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
        alg: 'EdDSA',
        use: 'sig',
        name: 'audit.hebei.example.gov.cn/trec-events',
        notBefore: '2026-01-01T00:00:00.000Z',
      },
    ],
  },
})

const noteKeys = z.string().meta({
  description:
    'One C2SP note verifier key per line (`<name>+<key hash>+<base64 key>`), as witnesses take them.',
  example: 'audit.hebei.example.gov.cn/trec-events+5d3a9f01+AQ11qYAYKxCrfVS7TyWQHOg7hcvPapiMlrwIaaPcHURo\n',
})

export function keyRoutes(app: Platform, o: ResolvedAuditOptions): void {
  // Every published key has its `kty` (the JWK type leaves it optional).
  const jwks = o.keys.toJwks() as z.input<typeof keySet>
  const note = `${o.keys.toNoteVerifierKeys().join('\n')}\n`
  app.get(
    '/v1/audit/keys.jwks',
    {
      config: { auth: { public: true } },
      schema: {
        summary: 'Checkpoint signing keys as a JWKS, with validity windows',
        operationId: 'getSigningKeySet',
        description:
          'Anyone reads the public keys that sign checkpoints, every key that ever signed with its validity window, ' +
          'as a JWKS (`application/jwk-set+json`), to verify the JWS of a checkpoint. Pin keys got out of band: ' +
          'whoever runs this server can change what it answers.',
        tags: ['audit'],
        response: {
          200: {
            description: 'The JWKS of the checkpoint signing keys.',
            content: { 'application/jwk-set+json': { schema: keySet } },
          },
        },
      },
    },
    async (_request, reply) => reply.type('application/jwk-set+json').send(jwks),
  )
  app.get(
    '/v1/audit/keys.note',
    {
      config: { auth: { public: true } },
      schema: {
        summary: 'Checkpoint signing keys as note verifier keys, one per line',
        operationId: 'getNoteVerifierKeys',
        description:
          'Anyone reads the public keys that sign checkpoints as C2SP note verifier keys, one per line ' +
          '(`text/plain`), to verify the signed note of a checkpoint as witnesses do.',
        tags: ['audit'],
        response: {
          200: {
            description: 'The note verifier keys, one per line.',
            content: { 'text/plain': { schema: noteKeys } },
          },
        },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send(note),
  )
}
