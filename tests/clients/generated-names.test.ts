import { describe, expect, it } from 'vitest'
import { javaOperation, namesWithPathOrStatus, pathName } from './generated-names.ts'

const doc = {
  paths: {
    '/v1/archive/lookup': { post: { tags: ['archive'] } },
    '/v1/institutions': { post: { tags: ['training'], operationId: 'designateInstitution' } },
    '/v1/classes/{class}/enrolments': { post: { tags: ['training'], operationId: 'enrolWorker' } },
  },
}

describe('generated names', () => {
  it('names an operation without an operationId as openapi-generator does', () => {
    expect(pathName('POST', '/v1/classes/{class}/enrolments')).toBe('V1ClassesClassEnrolmentsPost')
    expect(javaOperation(doc, 'POST', '/v1/archive/lookup')).toBe('ArchiveApi#v1ArchiveLookupPost')
    expect(javaOperation(doc, 'POST', '/v1/institutions')).toBe('TrainingApi#designateInstitution')
  })

  it('flags path and status-code names but for the unfinished operations', () => {
    const names = [
      'V1ArchiveLookupPost200Response',
      'v1ArchiveLookupPost',
      'V1InstitutionsPost201Response',
      'v1ClassesClassEnrolmentsPost',
      'EnrolWorker201Response',
      'DesignationAnswer',
      'RegisterDeviceRequestPublicKeyOneOf1',
    ]
    expect(namesWithPathOrStatus(doc, new Set(['POST /v1/archive/lookup']), names)).toEqual([
      'V1InstitutionsPost201Response',
      'v1ClassesClassEnrolmentsPost',
      'EnrolWorker201Response',
    ])
    expect(namesWithPathOrStatus(doc, new Set(['POST /v1/classes/{class}/enrolments']), names)).toEqual([
      'V1ArchiveLookupPost200Response',
      'v1ArchiveLookupPost',
      'V1InstitutionsPost201Response',
    ])
  })
})
