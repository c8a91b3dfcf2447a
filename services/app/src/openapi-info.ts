import type { OpenapiOptions } from '@trec/fastify-kit'

/**
 * What the OpenAPI document says of the composed API beyond its operations. The servers are
 * where `npm start` listens; a deployment's own address is for its integrators to substitute.
 */
export const openapiInfo: Omit<OpenapiOptions, 'title' | 'version'> = {
  description:
    'The real-name record of subsidised vocational training: institutions, classes, attendance, ' +
    'assessment, subsidy claims, the lifelong archive, compliance reads, oversight cases and the ' +
    'verifiable audit log. Every refusal is application/problem+json with a stable `code` ' +
    '(catalogue at `GET /errors`); every command takes an optional `Idempotency-Key`.',
  servers: [{ url: 'http://127.0.0.1:3000', description: 'a local server, as `npm start` runs it' }],
  contact: { name: 'trec maintainers', url: 'http://127.0.0.1:3000/errors' },
  license: { name: 'Proprietary: no licence is granted by this document', url: 'http://127.0.0.1:3000/docs' },
  tags: {
    training: 'Institutions, programmes, classes, vouchers and enrolments.',
    attendance: 'Check-in devices, face-check batches and online learning segments.',
    assessment: 'Completions, assessment results and certificates.',
    subsidy: 'Subsidy claims from submission to payment and clawback, and the rule sets they are judged by.',
    archive: 'A worker’s lifelong training archive and who read it.',
    compliance: 'Payments, KPIs, plan progress and reconciliation, for finance and auditors.',
    employment: 'Employment outcomes after training.',
    oversight: 'Fraud alerts, claim traces, investigation cases and sampling runs.',
    audit: 'The transparency log: checkpoints, proofs, exports and signing keys.',
  },
}
