/** Pasture geometry in local metres (x east, y north) around the polygon's centroid. */
import type { LatLon } from './herd.js';

const M_PER_DEG_LAT = 111_320;

export class Pasture {
  readonly lat0: number;
  readonly lon0: number;
  readonly mPerDegLon: number;
  /** Corners in metres, as flat [x0, y0, x1, y1, ...]. */
  readonly corners: Float64Array;
  /** Half the bounding box size in metres. */
  readonly halfX: number;
  readonly halfY: number;

  constructor(polygon: readonly LatLon[]) {
    let lat = 0;
    let lon = 0;
    for (const [a, b] of polygon) {
      lat += a;
      lon += b;
    }
    this.lat0 = lat / polygon.length;
    this.lon0 = lon / polygon.length;
    this.mPerDegLon = M_PER_DEG_LAT * Math.cos((this.lat0 * Math.PI) / 180);
    this.corners = new Float64Array(polygon.length * 2);
    let minX = 0;
    let maxX = 0;
    let minY = 0;
    let maxY = 0;
    polygon.forEach(([a, b], i) => {
      const x = (b - this.lon0) * this.mPerDegLon;
      const y = (a - this.lat0) * M_PER_DEG_LAT;
      this.corners[2 * i] = x;
      this.corners[2 * i + 1] = y;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    });
    this.halfX = (maxX - minX) / 2;
    this.halfY = (maxY - minY) / 2;
  }

  /** Ray casting; points on an edge count as whichever side the arithmetic puts them. */
  contains(x: number, y: number): boolean {
    const c = this.corners;
    const n = c.length / 2;
    let inside = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const xi = c[2 * i] as number;
      const yi = c[2 * i + 1] as number;
      const xj = c[2 * j] as number;
      const yj = c[2 * j + 1] as number;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  /** Corner `i` (mod the corner count), pushed `metres` away from the centroid (negative: inward). */
  cornerOffset(i: number, metres: number): [number, number] {
    const n = this.corners.length / 2;
    const k = ((i % n) + n) % n;
    const x = this.corners[2 * k] as number;
    const y = this.corners[2 * k + 1] as number;
    const len = Math.hypot(x, y) || 1;
    return [x + (x / len) * metres, y + (y / len) * metres];
  }

  lat(y: number): number {
    return this.lat0 + y / M_PER_DEG_LAT;
  }

  lon(x: number): number {
    return this.lon0 + x / this.mPerDegLon;
  }
}
