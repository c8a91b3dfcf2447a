import type { Platform } from '@trec/fastify-kit'
import { type AttendanceOptions, resolveOptions } from './options.ts'
import { cardTapBatchRoutes } from './routes/card-tap-batches.ts'
import { deviceRoutes } from './routes/devices.ts'
import { faceCheckBatchRoutes } from './routes/face-check-batches.ts'
import { learningBatchRoutes } from './routes/learning-batches.ts'
import { onlineSegmentRoutes } from './routes/online-segments.ts'
import { createViews } from './views.ts'

export type { AttendanceOptions } from './options.ts'

/**
 * The attendance write side as a fastify plugin: the face-check device registry, signed
 * face-check batches and online-learning segments. Register it on the platform without a prefix
 * (its routes are under `/v1/...`): `await app.register(attendanceService, { store })`.
 */
export async function attendanceService(app: Platform, options: AttendanceOptions): Promise<void> {
  const resolved = resolveOptions(options)
  const views = createViews(resolved)
  deviceRoutes(app, resolved, views)
  faceCheckBatchRoutes(app, resolved, views)
  onlineSegmentRoutes(app, resolved, views)
  learningBatchRoutes(app, resolved, views)
  cardTapBatchRoutes(app, resolved, views)
}
