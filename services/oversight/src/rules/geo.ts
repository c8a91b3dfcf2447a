// Great-circle distance on a sphere of the mean Earth radius (IUGG, 6371.0088 km), by the
// haversine formula: accurate to about 0.5 % against the ellipsoid, far inside what a travel
// speed threshold needs.

const earthRadiusKm = 6371.0088
const rad = Math.PI / 180

export interface LatLon {
  lat: number
  lon: number
}

export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)))
}
