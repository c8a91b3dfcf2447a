import { handleCommand } from '@trec/command'
import { entityIdSchema, noteSchema } from '@trec/contracts'
import { TrecError } from '@trec/core'
import { actorOf, assertInstitution, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { calculateJwkThumbprint, importJWK } from 'jose'
import { z } from 'zod'
import { deviceDecider } from '../domain/device.ts'
import type { ResolvedOptions } from '../options.ts'
import type { Views } from '../views.ts'
import { commandAnswer, deviceParams, source } from './common.ts'

// The device registry: institution staff register a face-check device to a class of their own
// institution with its public key, and revoke it. Only EdDSA over Ed25519 (RFC 8037) and ES256
// (RFC 7518 §3.4) keys are taken; a JWK carrying a private part (`d`) is refused outright.

const coordinate = z
  .string()
  .regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/, 'must be 32 bytes in base64url (43 characters)')

const publicJwk = z.discriminatedUnion('kty', [
  z.strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: coordinate,
    alg: z.literal('EdDSA').optional(),
    use: z.literal('sig').optional(),
    kid: entityIdSchema.optional(),
  }),
  z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: coordinate,
    y: coordinate,
    alg: z.literal('ES256').optional(),
    use: z.literal('sig').optional(),
    kid: entityIdSchema.optional(),
  }),
])

const registerBody = z
  .strictObject({ device: entityIdSchema, class: entityIdSchema, publicKey: publicJwk })
  .refine((b) => b.publicKey.kid === undefined || b.publicKey.kid === b.device, {
    message: 'the key id, when given, must be the device id (batches name their signer by it)',
    path: ['publicKey', 'kid'],
  })
  .meta({ id: 'RegisterDeviceRequest' })

const revokeBody = z
  .strictObject({
    reason: z.enum(['lost', 'compromised', 'decommissioned', 'replaced', 'other']),
    note: noteSchema.optional(),
  })
  .meta({ id: 'RevokeDeviceRequest' })

export function deviceRoutes(app: Platform, options: ResolvedOptions, views: Views): void {
  app.post(
    '/v1/devices',
    {
      config: { auth: { roles: ['institution_staff'] } },
      schema: {
        summary: 'Register a face-check device to a class, with the public key it signs batches with',
        operationId: 'registerDevice',
        description:
          'The institution’s staff register a face-check device to one of their classes, with the public JWK (Ed25519 or P-256) it signs face-check batches with.',
        tags: ['attendance'],
        body: registerBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const body = request.body
      const { view: classView } = await views.classes.get(body.class)
      if (classView.institution !== undefined) assertInstitution(p, classView.institution)
      const { kty, crv, x } = body.publicKey
      const publicKey = body.publicKey.kty === 'EC' ? { kty, crv, x, y: body.publicKey.y } : { kty, crv, x }
      const algorithm = body.publicKey.kty === 'EC' ? 'ES256' : 'EdDSA'
      try {
        await importJWK(publicKey, algorithm)
      } catch {
        throw new TrecError('TREC_VALIDATION', 'the public key is not a valid key', {
          issues: [{ path: ['body', 'publicKey'], code: 'invalid_key', message: 'not a point on the curve' }],
        })
      }
      const result = await handleCommand(options.store, deviceDecider, {
        stream: `device-${body.device}`,
        command: {
          kind: 'RegisterDevice',
          device: body.device,
          class: body.class,
          classView,
          algorithm,
          publicKey: publicKey as never,
          keyThumbprint: await calculateJwkThumbprint(publicKey, 'sha256'),
        },
        // An unknown class has no region; the decider refuses it before metadata is checked.
        meta: {
          occurredAt: options.clock().toISOString(),
          actor: actorOf(p),
          source,
          region: classView.region ?? '',
        },
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )

  app.post(
    '/v1/devices/:device/revocation',
    {
      config: { auth: { roles: ['institution_staff'] } },
      schema: {
        summary: 'Revoke a face-check device: batches signed with its key are refused from then on',
        operationId: 'revokeDevice',
        description:
          'The institution’s staff revoke one of their devices (lost, compromised, replaced…): batches signed with its key are refused from then on.',
        tags: ['attendance'],
        params: deviceParams,
        body: revokeBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { device } = request.params
      const { view } = await views.devices.get(device)
      const registration = view.registration
      if (registration) assertInstitution(p, registration.institution)
      const region = registration ? (await views.classes.get(registration.class)).view.region : undefined
      const result = await handleCommand(options.store, deviceDecider, {
        stream: `device-${device}`,
        command: {
          kind: 'RevokeDevice',
          device,
          reason: request.body.reason,
          ...(request.body.note === undefined ? {} : { note: request.body.note }),
        },
        // An unregistered device has no region; the decider refuses it before metadata is checked.
        meta: { occurredAt: options.clock().toISOString(), actor: actorOf(p), source, region: region ?? '' },
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
