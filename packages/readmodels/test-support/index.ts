export { envelopes } from './envelopes.ts'
export type { FinanceFile, FinanceFileOptions } from './finance-file.ts'
export { financeFile } from './finance-file.ts'
export type {
  GeneratedAppend,
  GeneratedPayment,
  GeneratedRecord,
  GenerateOptions,
  PlantedFault,
} from './generate.ts'
export { appendRecord, generateRecord, prng, seededUuid, testRuleSet } from './generate.ts'
