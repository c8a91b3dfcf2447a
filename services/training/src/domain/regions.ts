// 行政区划代码 (GB/T 2260) are six digits: two for the province, two for the city, two for the
// county. A province is written with four trailing zeros (130000), a city with two (130100). A
// code therefore stands for every code that starts with it once its trailing zero pairs are cut.

// Whether one covers another is `regionCovers` of @trec/contracts.

/** The code and the divisions above it, nearest first (one home: @trec/contracts). */
export { regionChain } from '@trec/contracts'
