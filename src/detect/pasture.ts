/**
 * The pasture polygon in local metres, and how far outside it a position is. An equirectangular
 * projection around the pasture is exact to well under a metre at farm scale.
 */
const EARTH_M_PER_DEG = 111_320;

export interface Pasture {
  lat0: number;
  lon0: number;
  cosLat: number;
  /** Corners as x0, y0, x1, y1, ... in metres. */
  xy: Float64Array;
}

/** Builds the projected polygon from [lat, lon] corners. */
export function projectPasture(corners: readonly (readonly [number, number])[]): Pasture {
  const lat0 = corners.reduce((s, c) => s + c[0], 0) / corners.length;
  const lon0 = corners.reduce((s, c) => s + c[1], 0) / corners.length;
  const cosLat = Math.cos((lat0 * Math.PI) / 180);
  const xy = new Float64Array(corners.length * 2);
  corners.forEach(([lat, lon], i) => {
    xy[i * 2] = (lon - lon0) * EARTH_M_PER_DEG * cosLat;
    xy[i * 2 + 1] = (lat - lat0) * EARTH_M_PER_DEG;
  });
  return { lat0, lon0, cosLat, xy };
}

/** Metres outside the polygon (0 or negative when inside: minus the distance to the nearest edge). */
export function distanceOutsideM(p: Pasture, lat: number, lon: number): number {
  const x = (lon - p.lon0) * EARTH_M_PER_DEG * p.cosLat;
  const y = (lat - p.lat0) * EARTH_M_PER_DEG;
  const xy = p.xy;
  const n = xy.length / 2;
  let inside = false;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = xy[i * 2] as number;
    const yi = xy[i * 2 + 1] as number;
    const xj = xy[j * 2] as number;
    const yj = xy[j * 2 + 1] as number;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    const dx = xj - xi;
    const dy = yj - yi;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - xi) * dx + (y - yi) * dy) / len2));
    const ex = xi + t * dx - x;
    const ey = yi + t * dy - y;
    const d2 = ex * ex + ey * ey;
    if (d2 < best) best = d2;
  }
  const d = Math.sqrt(best);
  return inside ? -d : d;
}
