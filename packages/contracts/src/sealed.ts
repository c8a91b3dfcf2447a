import { sealSchemeNames } from '@trec/core'
import { z } from 'zod'

// Mirrors `sealedValueSchema` of @trec/privacy: personal data (a worker's name, ID number, phone,
// bank or card account) is sealed with AES-256-GCM (SM4 with HMAC-SM3 under the gm crypto profile) under a per-worker data key `kid` before it
// goes into an event, so deleting the key ("crypto-shredding", docs/architecture.md "Identity and
// personal data") makes it unreadable everywhere while the log still verifies. Kept local so the
// contracts do not wait on that package; a test walks every event schema to check that no field
// named like personal data accepts anything but this shape.

// Base64 in either alphabet (RFC 4648 §4 and §5), padding optional: the sealer picks one.
const base64 = /^[A-Za-z0-9+/_-]+={0,2}$/

export const sealedValueSchema = z.strictObject({
  sealed: z.literal(sealSchemeNames),
  kid: z.string().min(1).max(128),
  iv: z.string().regex(base64),
  ct: z.string().regex(base64),
})

export type SealedValue = z.output<typeof sealedValueSchema>
