// Request validation: a zod schema that accepts any spelling people type (full-width digits,
// spaces, hyphens, lower-case x) and outputs the normalised number. Each failure is a custom
// issue whose `params.reason` is the card-number issue code; zod leaves the input out of its
// issues unless `reportInput` is asked for, and the messages never quote the number.

import { validateCardNumber } from '@trec/core'
import { z } from 'zod'

export const cardNumberSchema = z.string().transform((raw, ctx) => {
  const result = validateCardNumber(raw)
  if (result.ok) return result.value
  for (const issue of result.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, params: { reason: issue.code } })
  }
  return z.NEVER
})
