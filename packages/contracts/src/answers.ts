import { z } from 'zod'

// Answers shared by the HTTP routes of every service, named for the OpenAPI document
// (`.meta({ id })`: one component that operations refer to).

/** What a command answers: the ids of the events it appended (or, on a retry, already stored) and the stream's revision after them. */
export const commandAnswerSchema = z
  .object({
    ids: z.array(z.string()).describe('The ids of the events appended, or already stored on a retry.'),
    revision: z.int().describe('The revision of the command’s stream after them.'),
  })
  .meta({
    id: 'CommandAnswer',
    description: 'The events a command appended and the revision of its stream after them.',
    example: { ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'], revision: 3 },
  })

/** A command's answer with the identifier of what it made (`{ ids, revision, <key>: id }`), named `name`. */
export function commandAnswerWith<K extends string>(
  name: string,
  key: K,
  example: string,
  description: string,
) {
  return commandAnswerSchema
    .extend({ [key]: z.string().describe(description) } as { [P in K]: z.ZodString })
    .meta({
      id: name,
      description: `The events the command appended, the revision of its stream, and ${description.replace(/\.$/, '').replace(/^The /, 'the ')}.`,
      example: { ids: ['01936f4e-7c1a-7b3e-9d2f-5a6b7c8d9e0f'], revision: 1, [key]: example },
    })
}
