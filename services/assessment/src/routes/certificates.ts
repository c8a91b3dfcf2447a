import { handleCommand, handleMultiStreamCommand, loadState } from '@trec/command'
import {
  certificateIssued,
  certificateKinds,
  certificateRevoked,
  commandAnswerWith,
  entityIdSchema,
  evaluatorKinds,
  noteSchema,
  pseudonymSchema,
  regionCodeSchema,
} from '@trec/contracts'
import { TrecError } from '@trec/core'
import { assertRegion, commandEventIds, type Platform, principal } from '@trec/fastify-kit'
import { looksLikeCardNumber } from '@trec/privacy'
import { z } from 'zod'
import { defaultCertificateKindRules } from '../domain/certificate-kinds.ts'
import { chinaDate } from '../domain/dates.ts'
import { assessmentDecider } from '../domain/decider.ts'
import type { ResolvedOptions } from '../options.ts'
import { commandAnswer, metaFor, readEvents } from './context.ts'

// POST /v1/certificates issues a certificate of one of the five kinds (D3 二十六);
// POST /v1/certificates/:issuer/:serial/revocation revokes one. Both for assessors of the region.

// The number printed on the certificate (证书编号), as the contract has it. Some kinds print the
// holder's citizen ID number as the certificate number; such a serial would put a card number in
// a stream name, a URL and an unsealed field, so it is refused (docs/architecture.md, "Identity").
const serialSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/, 'must be 1–64 of [A-Za-z0-9-], starting with a letter or digit')
  .refine((s) => !looksLikeCardNumber(s), {
    message: 'is a citizen ID number; it cannot be recorded in clear',
    params: { code: 'contains_card_number' },
  })

const issuerSchema = z.strictObject({ kind: z.enum(evaluatorKinds), id: entityIdSchema })

const issued = certificateIssued.schema.shape

const issueBody = z
  .strictObject({
    worker: pseudonymSchema,
    kind: z.enum(certificateKinds),
    issuer: issuerSchema,
    serial: serialSchema,
    /** 行政区划代码 of the issuing body: it scopes the assessor and the event. */
    region: regionCodeSchema,
    // As the event has them (for kinds without levels, `itemCode` is the 专项职业能力 project or
    // the 作业类别/项目 code; `assessment`, when absent, is found on the record).
    occupationCode: issued.occupationCode,
    level: issued.level,
    itemCode: issued.itemCode,
    issuedOn: issued.issuedOn,
    validUntil: issued.validUntil,
    assessment: issued.assessment,
  })
  .superRefine((c, ctx) => {
    const levelled = defaultCertificateKindRules[c.kind].levelled
    const need = (field: 'occupationCode' | 'level' | 'itemCode') =>
      c[field] === undefined &&
      ctx.addIssue({ code: 'custom', path: [field], message: `a ${c.kind} certificate names its ${field}` })
    if (levelled) {
      need('occupationCode')
      need('level')
    } else need('itemCode')
    if (c.validUntil !== undefined && c.validUntil < c.issuedOn)
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'is before issuedOn' })
    // The serial's registry stream is `certificate-{issuer}:{serial}`; stream ids are at most 128.
    if (c.issuer.id.length + 1 + c.serial.length > 128)
      ctx.addIssue({ code: 'custom', path: ['serial'], message: 'with the issuer id exceeds 127 characters' })
  })
  .meta({ id: 'IssueCertificateRequest' })

const certificateAnswer = commandAnswerWith(
  'CertificateAnswer',
  'certificate',
  '01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f',
  'The id the record gives the certificate.',
)

const revocationParams = z.strictObject({ issuer: entityIdSchema, serial: serialSchema })
const revocationBody = z
  .strictObject({
    reason: certificateRevoked.schema.shape.reason,
    note: noteSchema.optional(),
  })
  .meta({ id: 'RevokeCertificateRequest' })

export function certificateRoutes(app: Platform, o: ResolvedOptions): void {
  app.post(
    '/v1/certificates',
    {
      config: { auth: { roles: ['assessor'] } },
      schema: {
        summary: 'Issue a certificate of one of the five kinds',
        operationId: 'issueCertificate',
        description:
          'An assessor of the issuing body’s region records a certificate of one of the five kinds for a worker (by pseudonym): levelled kinds name the occupation and level, the others the item. The serial is the number printed on the certificate; one an issuer has already given is refused, and so is a serial that is a citizen ID number. Answers the certificate’s id.',
        tags: ['assessment'],
        body: issueBody,
        response: { 201: certificateAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { region, ...b } = request.body
      assertRegion(p, region)
      const own = `assessment-${b.worker}`
      const registry = `certificate-${b.issuer.id}:${b.serial}`
      const nextId = commandEventIds(request)
      const certificate = nextId()
      const now = o.clock()
      const out = await handleMultiStreamCommand(
        o.store,
        async () => {
          const [mine, serial] = await Promise.all([
            loadState(o.store, own, assessmentDecider),
            readEvents(o.store, registry),
          ])
          const holder = serial.find((e) => e.type === 'CertificateSerialRegistered')
          const events = assessmentDecider.decide(
            {
              type: 'IssueCertificate',
              today: chinaDate(now),
              kindRule: o.kindRule(b.kind),
              ...(holder
                ? { serialHolder: { worker: holder.data.worker, certificate: holder.data.certificate } }
                : {}),
              worker: b.worker,
              certificate,
              kind: b.kind,
              issuer: b.issuer,
              serial: b.serial,
              ...(b.occupationCode === undefined ? {} : { occupationCode: b.occupationCode }),
              ...(b.level === undefined ? {} : { level: b.level }),
              ...(b.itemCode === undefined ? {} : { itemCode: b.itemCode }),
              issuedOn: b.issuedOn,
              ...(b.validUntil === undefined ? {} : { validUntil: b.validUntil }),
              ...(b.assessment === undefined ? {} : { assessment: b.assessment }),
            },
            mine.state,
          )
          return {
            events,
            revisions: new Map([
              [own, mine.revision],
              [registry, serial.length - 1],
            ]),
          }
        },
        { meta: metaFor(p, region, now), nextId },
      )
      return reply.code(201).send({ ids: out.ids, revision: out.streams.get(own)!.revision, certificate })
    },
  )

  app.post(
    '/v1/certificates/:issuer/:serial/revocation',
    {
      config: { auth: { roles: ['assessor'] } },
      schema: {
        summary: 'Revoke a certificate, found by its issuer and serial',
        operationId: 'revokeCertificate',
        description:
          'An assessor of the region the certificate was issued in revokes it, with the reason; 404 when the issuer has issued no certificate with that serial. Claims that relied on it can then be recovered. Answers the events appended.',
        tags: ['assessment'],
        params: revocationParams,
        body: revocationBody,
        response: { 201: commandAnswer },
      },
    },
    async (request, reply) => {
      const p = principal(request)
      const { issuer, serial } = request.params
      const registered = (await readEvents(o.store, `certificate-${issuer}:${serial}`)).find(
        (e) => e.type === 'CertificateSerialRegistered',
      )
      if (!registered)
        throw new TrecError('TREC_NOT_FOUND', `issuer ${issuer} has issued no certificate ${serial}`, {
          details: { issuer, serial },
        })
      // The certificate is revoked in the region it was issued in.
      assertRegion(p, registered.region)
      const now = o.clock()
      const { worker, certificate } = registered.data
      const result = await handleCommand(o.store, assessmentDecider, {
        stream: `assessment-${worker}`,
        command: { type: 'RevokeCertificate', worker, certificate, ...request.body },
        meta: metaFor(p, registered.region, now),
        nextId: commandEventIds(request),
      })
      return reply.code(201).send({ ids: result.ids, revision: result.append.revision })
    },
  )
}
