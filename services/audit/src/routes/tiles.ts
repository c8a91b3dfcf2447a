import { TrecError } from '@trec/core'
import type { Platform } from '@trec/fastify-kit'
import { parseTilePath, tileNodes, tilePath, tileWidthAt } from '@trec/merkle'
import { z } from 'zod'
import type { ResolvedAuditOptions } from '../options.ts'
import { findCheckpoint } from './common.ts'

// The log as static files in the C2SP tlog-tiles layout (@trec/merkle's tiles.ts), under
// `/v1/audit/tlog/`: `checkpoint` (the newest signed note) and `tile/<L>/<N>[.p/<W>]` (node
// hashes; level 0 the leaf hashes). An auditor or a witness mirrors the log with plain GETs and
// computes any proof offline. Public, like the keys: they hold hashes and sizes, no event and no
// personal data (no entry bundles are served). Only what the newest checkpoint covers is served,
// so nothing unsigned is published; a tile's bytes never change, so it may be cached for good.

const prefix = '/v1/audit/tlog'

const signedNote = z.string().meta({
  description:
    'A C2SP signed note: the checkpoint text (origin, size, root hash, timestamp), a blank line, its signature lines.',
  example:
    'audit.hebei.example.gov.cn/trec-events\n1024\nn2Vt4Qm1z8d0cS0Ff2b8Hn5q9rK3mJt7Yw1xV6uP0aE=\ntimestamp 1772438400000\n\n— audit.hebei.example.gov.cn/trec-events AbCd…\n',
})

const tileBytes = z.string().meta({
  format: 'binary',
  description:
    'The tile’s node hashes, 32 bytes each, concatenated left to right: 256 of them for a full tile, `<W>` for a partial one.',
  example: '(32 × W bytes: the SHA-256 node hashes of the tile)',
})

export function tileRoutes(app: Platform, o: ResolvedAuditOptions): void {
  app.get(
    `${prefix}/checkpoint`,
    {
      config: { auth: { public: true }, refusals: ['404'] },
      schema: {
        summary: 'The newest signed checkpoint as a C2SP signed note',
        operationId: 'getTlogCheckpoint',
        description:
          'Anyone reads the newest checkpoint as a C2SP signed note (`text/plain`), the entry point of the ' +
          'tlog-tiles layout: witnesses and mirrors poll it, then fetch the tiles it covers. Not cached. 404 while ' +
          'the log has signed none.',
        tags: ['audit'],
        response: {
          200: {
            description: 'The newest signed checkpoint.',
            content: { 'text/plain': { schema: signedNote } },
          },
        },
      },
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
      schema: {
        summary: 'A tile of the Merkle tree (C2SP tlog-tiles): node hashes',
        operationId: 'getTlogTile',
        description:
          'Anyone reads a tile of the tree at `tile/<L>/<N>` (full, 256 hashes) or `tile/<L>/<N>.p/<W>` (partial, W ' +
          'hashes) as `application/octet-stream`, to mirror the log and compute any proof offline. Only what the newest ' +
          'checkpoint covers is served (404 with `available` naming the partial tile there is, otherwise); a tile never ' +
          'changes, so it may be cached for good. Tiles hold hashes only, no event and no personal data.',
        tags: ['audit'],
        response: {
          200: {
            description: 'The tile’s node hashes.',
            content: { 'application/octet-stream': { schema: tileBytes } },
          },
        },
      },
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
      // The document calls the bytes a binary string (OpenAPI 3.0); fastify sends a Buffer as it is.
      const bytes = Buffer.concat(hashes as Uint8Array[]) as unknown as string
      return reply
        .type('application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(bytes)
    },
  )
}
