import { TrecError } from '@trec/core'
import type { Platform } from '@trec/fastify-kit'
import { parseTilePath, tileNodes, tilePath, tileWidthAt } from '@trec/merkle'
import type { ResolvedAuditOptions } from '../options.ts'
import { findCheckpoint } from './common.ts'

// The log as static files in the C2SP tlog-tiles layout (@trec/merkle's tiles.ts), under
// `/v1/audit/tlog/`: `checkpoint` (the newest signed note) and `tile/<L>/<N>[.p/<W>]` (node
// hashes; level 0 the leaf hashes). An auditor or a witness mirrors the log with plain GETs and
// computes any proof offline. Public, like the keys: they hold hashes and sizes, no event and no
// personal data (no entry bundles are served). Only what the newest checkpoint covers is served,
// so nothing unsigned is published; a tile's bytes never change, so it may be cached for good.

const prefix = '/v1/audit/tlog'

export function tileRoutes(app: Platform, o: ResolvedAuditOptions): void {
  app.get(
    `${prefix}/checkpoint`,
    {
      config: { auth: { public: true } },
      schema: { summary: 'The newest signed checkpoint as a C2SP signed note', tags: ['audit'] },
    },
    async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send((await findCheckpoint(o)).note),
  )
  app.get(
    `${prefix}/tile/*`,
    {
      config: { auth: { public: true } },
      schema: { summary: 'A tile of the Merkle tree (C2SP tlog-tiles): node hashes', tags: ['audit'] },
    },
    async (request, reply) => {
      const path = `tile/${(request.params as { '*': string })['*']}`
      const tile = parseTilePath(path)
      if (!tile)
        throw new TrecError('TREC_NOT_FOUND', `${path} is not a tile path (tile/<L>/<N>[.p/<W>]).`, {
          details: { reason: 'not-a-tile', path },
        })
      const { size } = await findCheckpoint(o)
      const available = tileWidthAt(tile.level, tile.index, size)
      if (tile.width > available)
        throw new TrecError(
          'TREC_NOT_FOUND',
          `The newest checkpoint (size ${size}) does not cover ${path}.`,
          {
            details: {
              reason: 'beyond-checkpoint',
              treeSize: size,
              ...(available > 0 ? { available: tilePath({ ...tile, width: available }) } : {}),
            },
          },
        )
      const hashes = await o.log.nodes().getNodes(tileNodes(tile))
      if (hashes.some((h) => h === undefined))
        throw new TrecError('TREC_INTERNAL', `The log is missing nodes of ${path}.`)
      return reply
        .type('application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(Buffer.concat(hashes as Uint8Array[]))
    },
  )
}
