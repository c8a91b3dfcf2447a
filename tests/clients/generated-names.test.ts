import { describe, expect, it } from 'vitest'
import { javaOperations, namesWithPathOrStatus, pathName } from './generated-names.ts'

const doc = {
  paths: {
    '/v1/archive/lookup': { post: { tags: ['archive'], operationId: 'lookUpArchive' } },
    '/v1/institutions': { post: { tags: ['training'], operationId: 'designateInstitution' } },
    '/v1/classes/{class}/enrolments': { post: { tags: ['training'] } },
  },
}

describe('generated names', () => {
  it('names an operation without an operationId as openapi-generator does', () => {
    expect(pathName('POST', '/v1/classes/{class}/enrolments')).toBe('V1ClassesClassEnrolmentsPost')
  })

  it('expects each operation as a method named by its operationId, in the API class of its tag', () => {
    expect(javaOperations(doc)).toEqual([
      { operation: 'POST /v1/archive/lookup', api: 'ArchiveApi', method: 'lookUpArchive' },
      { operation: 'POST /v1/institutions', api: 'TrainingApi', method: 'designateInstitution' },
      { operation: 'POST /v1/classes/{class}/enrolments', api: 'TrainingApi', method: '(no operationId)' },
    ])
  })

  it('flags every name that carries a path or a status code', () => {
    const names = [
      'V1ArchiveLookupPost200Response',
      'v1ArchiveLookupPost',
      'LookUpArchive200Response',
      'lookUpArchive',
      'v1ClassesClassEnrolmentsPost',
      'DesignationAnswer',
      'RegisterDeviceRequestPublicKeyOneOf1',
    ]
    expect(namesWithPathOrStatus(doc, names)).toEqual([
      'V1ArchiveLookupPost200Response',
      'v1ArchiveLookupPost',
      'LookUpArchive200Response',
      'v1ClassesClassEnrolmentsPost',
    ])
  })
})
