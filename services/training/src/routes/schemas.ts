import { commandAnswerSchema, entityIdSchema, regionCodeSchema } from '@trec/contracts'
import { z } from 'zod'

// Request and response pieces shared by the routes. Bodies are strict: an unknown field is refused.

export const institutionParams = z.strictObject({ institution: entityIdSchema })
export const classParams = z.strictObject({ class: entityIdSchema })
export const voucherParams = z.strictObject({ voucher: entityIdSchema })
export const regionParams = z.strictObject({ region: regionCodeSchema })

/** What a command answers: the ids of the events it appended and the stream's revision after them. */
export const appended = commandAnswerSchema
