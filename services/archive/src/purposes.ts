import type { accessPurposes } from '@trec/contracts'
import type { Role } from '@trec/fastify-kit'

// Purpose binding (PIPL art. 6: 「处理个人信息应当具有明确、合理的目的」; docs/architecture.md, "Reads are recorded"): each
// role may read a record only for the purposes its work has. A card service answers the holder
// or discloses on the holder's recorded consent; an investigator reads for a case or an
// inspection. A read for a case that names no case is allowed (break-glass) and flagged.

type Purpose = (typeof accessPurposes)[number]

export const lookupPurposes: Partial<Record<Role, readonly Purpose[]>> = {
  card_service: ['card_holder_request', 'consented_disclosure'],
  investigator: ['fraud_case', 'supervision_inspection'],
}

export const purposesNeedingCase: readonly Purpose[] = ['fraud_case', 'supervision_inspection']
