// The mix of the mixed-traffic bench: what share of the offered events each endpoint carries,
// and what the app must hold before the run for every request to be a valid one.
//
// The shares follow one subsidised training as Hebei's year has it (≈3.5×10⁷ events for ≈540,000
// trainings, ≈65 events each): an enrolment (3 events: real-name check, enrolment, roster entry),
// a completion (1), a claim (1: the submission, judged by the 不进不补 gate at once), about 60
// face checks, uploaded by the class's device in batches; plus card-service archive lookups (1
// event each, the access record) at the rate of completions. Face checks are the rest.

export type EndpointKey = 'faceChecks' | 'enrolments' | 'completions' | 'claims' | 'lookups'

export interface Endpoint {
  key: EndpointKey
  /** As the report names it. */
  name: string
  method: 'POST'
  path: string
  /** Share of the offered events. */
  share: number
  /** Events one accepted request appends. */
  eventsPerRequest: number
  /** The status of an accepted request. */
  ok: number
}

/** Workers per class (and a device's batch: each one's sign-in and sign-out, or two spot checks). */
export const classSize = 50
export const checksPerBatch = 2 * classSize
/** Sessions of each class whose device uploads during the run. */
export const runningSessions = 10

export const endpoints: readonly Endpoint[] = [
  {
    key: 'faceChecks',
    name: `face-check batches (${checksPerBatch} checks, device-signed JWS)`,
    method: 'POST',
    path: '/v1/face-check-batches',
    share: 0.91,
    eventsPerRequest: checksPerBatch,
    ok: 201,
  },
  {
    key: 'enrolments',
    name: 'enrolments (real-name check)',
    method: 'POST',
    path: '/v1/classes/:class/enrolments',
    share: 0.045,
    eventsPerRequest: 3,
    ok: 201,
  },
  {
    key: 'completions',
    name: 'completions (结业)',
    method: 'POST',
    path: '/v1/completions',
    share: 0.015,
    eventsPerRequest: 1,
    ok: 201,
  },
  {
    key: 'claims',
    name: 'subsidy claims (gate)',
    method: 'POST',
    path: '/v1/claims',
    share: 0.015,
    eventsPerRequest: 1,
    ok: 201,
  },
  {
    key: 'lookups',
    name: 'archive lookups (card service)',
    method: 'POST',
    path: '/v1/archive/lookup',
    share: 0.015,
    eventsPerRequest: 1,
    ok: 200,
  },
]

export interface MixPlan {
  /** Offered events per second, all endpoints. */
  rate: number
  warmup: number
  seconds: number
  /** Requests per second of each endpoint. */
  requestRates: Record<EndpointKey, number>
  /** Requests of each endpoint over warm-up and measured time. */
  requests: Record<EndpointKey, number>
  /** What the server sets up before the run. */
  world: World
}

export interface World {
  /** Classes whose devices upload face checks during the run (sessions held, record still open). */
  runningClasses: number
  /** Classes with room for the run's enrolments. */
  enrollingClasses: number
  /** Workers trained (enrolled, face-checked) whose completion the run records. */
  completionTargets: number
  /** Workers trained and completed whose claim the run submits. */
  claimTargets: number
}

export function planMix(rate: number, seconds: number, warmup: number): MixPlan {
  const total = warmup + seconds
  const requestRates = Object.fromEntries(
    endpoints.map((e) => [e.key, (rate * e.share) / e.eventsPerRequest]),
  ) as Record<EndpointKey, number>
  const requests = Object.fromEntries(
    endpoints.map((e) => [e.key, Math.ceil(requestRates[e.key] * total)]),
  ) as Record<EndpointKey, number>
  return {
    rate,
    warmup,
    seconds,
    requestRates,
    requests,
    world: {
      // Each class's session comes round again (spot checks) after every running class has sent
      // each session once; up to 40 classes (2,000 workers) so the set-up stays short.
      runningClasses: Math.min(40, Math.max(2, Math.ceil(requests.faceChecks / (runningSessions * 4)))),
      // A dozen of the run's enrolments a class: a province has many classes enrolling at once.
      enrollingClasses: Math.max(1, Math.ceil(requests.enrolments / 12)),
      completionTargets: requests.completions,
      claimTargets: requests.claims,
    },
  }
}
