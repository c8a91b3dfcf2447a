/** The lane of the store's own feed, used in embedded mode and for rebuilds (each Kafka partition is a lane of its own). */
export const feedLane = 'feed'
