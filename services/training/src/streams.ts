import { loadState, type StreamState } from '@trec/command'
import { effectiveVersions, emptyRulebook, evolveRulebook, ruleSetInForce } from '@trec/contracts'
import { TrecError } from '@trec/core'
import type { EventStore } from '@trec/eventstore'
import { type CatalogueState, catalogueDecider, findProgrammeEntry } from './domain/catalogue.ts'
import type { CatalogueFacts } from './domain/catalogue-checks.ts'
import { type ClassState, classDecider } from './domain/class.ts'
import { type InstitutionState, institutionDecider } from './domain/institution.ts'
import { regionChain } from './domain/regions.ts'
import { workerDecider } from './domain/worker.ts'
import type { WorkerState } from './domain/worker-state.ts'

// The streams this context owns and how each is read back into its decider's state. Workers are
// named by pseudonym only (docs/architecture.md, "Identity and personal data").

export const streamOf = {
  institution: (id: string) => `institution-${id}`,
  catalogue: (region: string) => `catalogue-${region}`,
  class: (id: string) => `class-${id}`,
  training: (worker: string) => `training-${worker}`,
}

export const loadInstitution = (store: EventStore, id: string): Promise<StreamState<InstitutionState>> =>
  loadState(store, streamOf.institution(id), institutionDecider)

export const loadWorker = (store: EventStore, worker: string): Promise<StreamState<WorkerState>> =>
  loadState(store, streamOf.training(worker), workerDecider)

export interface LoadedClass extends StreamState<ClassState> {
  /** The flow id minted at the application, carried by every later event of the class. */
  correlationId?: string
}

export async function loadClass(store: EventStore, id: string): Promise<LoadedClass> {
  const loaded = await loadState(store, streamOf.class(id), classDecider)
  const correlationId = loaded.events[0]?.metadata.correlationId
  return typeof correlationId === 'string' ? { ...loaded, correlationId } : loaded
}

/** A class that exists, or 404. */
export async function existingClass(store: EventStore, id: string): Promise<LoadedClass> {
  const loaded = await loadClass(store, id)
  if (loaded.state.status === 'none')
    throw new TrecError('TREC_NOT_FOUND', `no class ${id}`, { details: { class: id } })
  return loaded
}

const rulebookFold = { initialState: emptyRulebook, evolve: evolveRulebook }

/** The subsidy rule set in force for a region on a (China) day, from the province's rulebook. */
export async function ruleSetInForceFor(store: EventStore, region: string, day: string) {
  const { state } = await loadState(store, `rulebook-${region.slice(0, 2)}`, rulebookFold)
  return ruleSetInForce(effectiveVersions(state), region, day)
}

/** The catalogues that apply in a region: its own and those of the divisions above it, nearest first. */
export async function loadCatalogues(store: EventStore, region: string): Promise<CatalogueState[]> {
  return Promise.all(
    regionChain(region).map(
      async (r) => (await loadState(store, streamOf.catalogue(r), catalogueDecider)).state,
    ),
  )
}

/**
 * What the catalogues say about a class starting on `startDay`: its programme's entry with its
 * history and, when the rule set in force that day requires listed institutions
 * (listedInstitutionsOnly, national practice), the institution's entries in the 定点培训机构目录.
 */
export async function catalogueFactsFor(
  store: EventStore,
  region: string,
  programme: string,
  institution: string,
  startDay: string,
): Promise<{ catalogues: CatalogueState[]; facts: CatalogueFacts }> {
  const [catalogues, ruleSet] = await Promise.all([
    loadCatalogues(store, region),
    ruleSetInForceFor(store, region, startDay),
  ])
  const listing = ruleSet?.practice.listedInstitutionsOnly
    ? {
        ruleSet: { id: ruleSet.id, version: ruleSet.version },
        entries: catalogues.flatMap((c) =>
          c.institutions.filter((e) => e.published.institution === institution),
        ),
      }
    : undefined
  return { catalogues, facts: { programme: findProgrammeEntry(catalogues, programme), listing } }
}
