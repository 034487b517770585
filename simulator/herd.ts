/**
 * The simulated herd: farms, cows and collars read from the daemon's farm files (so the simulator
 * matches the daemon's registry without hand copying), topped up with generated cows when asked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { farmFileSchema } from '../src/config/schema.js';
import { type SecretRef, secretSchema } from '../src/config/secrets.js';
import { ID_PATTERN } from '../src/telemetry/protocol.js';

/** Where a collar's MQTT password comes from (resolved only when publishing live). */
export interface CollarCredential {
  username: string;
  password?: SecretRef;
  /** Directory that relative `{ file: path }` secrets are resolved against. */
  baseDir: string;
}

export interface SimCollar {
  farmId: string;
  cowId: string;
  collarId: string;
  name: string;
  group?: string;
  /** True when the cow is not in the farm file but was generated to reach --cows. */
  generated: boolean;
  credential: CollarCredential;
}

export type LatLon = readonly [number, number];

export interface SimFarm {
  id: string;
  timezone: string;
  /** The farm-wide collar credential (generated collars and farm-level connections use it). */
  credential: CollarCredential;
  /** Pasture corners as [lat, lon]; without one, readings carry no position. */
  pasture?: LatLon[];
  collars: SimCollar[];
}

export interface Herd {
  farms: SimFarm[];
  /** Problems the daemon would have with the farm files (simulated anyway). */
  warnings: string[];
  /** Every collar of every farm, in a stable order; indexes into this list identify collars. */
  collars: SimCollar[];
  /** Cows in the farm files that wear no collar (they cannot be simulated). */
  skippedWithoutCollar: number;
}

export class HerdError extends Error {
  override name = 'HerdError';
}

/**
 * The part of a farm file the simulator needs. A file the daemon's schema rejects only elsewhere
 * (a policy or threshold key, say) is still simulated, with a warning: traffic does not depend on it.
 */
const simFarmSchema = z.object({
  farm: z.object({
    id: z.string().regex(ID_PATTERN),
    timezone: z.string().min(1),
    pasture: z
      .array(z.tuple([z.number(), z.number()]))
      .min(3)
      .optional(),
  }),
  mqtt: z.object({ username: z.string().min(1).optional(), password: secretSchema.optional() }).prefault({}),
  cows: z
    .array(
      z.object({
        id: z.string().min(1),
        name: z.string().min(1),
        group: z.string().optional(),
        collar: z.string().regex(ID_PATTERN).optional(),
        collarPassword: secretSchema.optional(),
      }),
    )
    .default([]),
  groups: z.record(z.string(), z.unknown()).default({}),
});
export type SimFarmFile = z.infer<typeof simFarmSchema>;

/** A farm file as loaded: its parsed content and the file it came from. */
export interface LoadedFarm {
  farm: SimFarmFile;
  file: string;
  /** Why the daemon would reject the file, when only the parts the simulator ignores are wrong. */
  warnings?: string[];
}

/** Reads and validates one farm file; throws HerdError naming the file and every problem. */
export function readFarmFile(path: string): LoadedFarm {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HerdError(`cannot read farm file ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new HerdError(`${path}: YAML syntax: ${(err as Error).message.split('\n')[0]}`);
  }
  const strict = farmFileSchema.safeParse(data ?? {});
  if (strict.success) return { farm: strict.data, file: resolve(path) };
  const problems = strict.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const lenient = simFarmSchema.safeParse(data ?? {});
  if (!lenient.success) throw new HerdError(`${path} is not a valid farm file: ${problems.join('; ')}`);
  return { farm: lenient.data, file: resolve(path), warnings: problems };
}

/**
 * Finds the farm files to simulate: `farm` is a farm id (looked up in `configDir/farms/`), a path to a
 * .yaml file, or undefined for every farm in the config directory.
 */
export function findFarms(configDir: string, farm?: string): LoadedFarm[] {
  if (farm !== undefined && /\.ya?ml$/i.test(farm)) return [readFarmFile(farm)];
  const farmsDir = join(configDir, 'farms');
  let names: string[];
  try {
    names = readdirSync(farmsDir).filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.'));
  } catch {
    throw new HerdError(`no farm files: ${farmsDir} cannot be read (pass --config DIR or --farm file.yaml)`);
  }
  const loaded = names.sort().map((n) => readFarmFile(join(farmsDir, n)));
  if (farm === undefined) return loaded;
  const match = loaded.filter((l) => l.farm.farm.id === farm);
  if (match.length === 0) {
    const known = loaded.map((l) => l.farm.farm.id).join(', ') || 'none';
    throw new HerdError(`farm "${farm}" is not in ${farmsDir} (farms there: ${known})`);
  }
  return match;
}

/**
 * Builds the herd from farm files. With `cowsPerFarm` larger than a farm's collared cows, extra cows
 * and collars are generated deterministically (ids `sim-cow-NNNN`, collars `SIM-NNNN`) using the
 * farm's credential; with a smaller number, the first cows are taken.
 */
export function buildHerd(farms: LoadedFarm[], cowsPerFarm?: number): Herd {
  let skipped = 0;
  const simFarms = farms.map(({ farm, file }) => {
    const baseDir = dirname(file);
    const farmUser = farm.mqtt.username ?? farm.farm.id;
    const farmCredential: CollarCredential = { username: farmUser, baseDir };
    if (farm.mqtt.password !== undefined) farmCredential.password = farm.mqtt.password;
    const collars: SimCollar[] = [];
    for (const cow of farm.cows) {
      if (cow.collar === undefined) {
        skipped++;
        continue;
      }
      const credential: CollarCredential =
        cow.collarPassword === undefined
          ? farmCredential
          : { username: cow.collar, password: cow.collarPassword, baseDir };
      const collar: SimCollar = {
        farmId: farm.farm.id,
        cowId: cow.id,
        collarId: cow.collar,
        name: cow.name,
        generated: false,
        credential,
      };
      if (cow.group !== undefined) collar.group = cow.group;
      collars.push(collar);
    }
    if (cowsPerFarm !== undefined) topUp(collars, cowsPerFarm, farm, farmCredential);
    const simFarm: SimFarm = {
      id: farm.farm.id,
      timezone: farm.farm.timezone,
      credential: farmCredential,
      collars,
    };
    if (farm.farm.pasture) simFarm.pasture = farm.farm.pasture;
    return simFarm;
  });
  return {
    farms: simFarms,
    warnings: farms.flatMap((f) => (f.warnings ?? []).map((w) => `${f.file}: ${w}`)),
    collars: simFarms.flatMap((f) => f.collars),
    skippedWithoutCollar: skipped,
  };
}

function topUp(collars: SimCollar[], target: number, farm: SimFarmFile, credential: CollarCredential): void {
  if (collars.length > target) {
    collars.length = target;
    return;
  }
  const cowIds = new Set(farm.cows.map((c) => c.id));
  const collarIds = new Set(farm.cows.flatMap((c) => (c.collar ? [c.collar] : [])));
  const groups = Object.keys(farm.groups);
  let n = 0;
  while (collars.length < target) {
    n++;
    const num = String(n).padStart(4, '0');
    const cowId = `sim-cow-${num}`;
    const collarId = `SIM-${num}`;
    if (cowIds.has(cowId) || collarIds.has(collarId)) continue;
    const collar: SimCollar = {
      farmId: farm.farm.id,
      cowId,
      collarId,
      name: `Sim ${num}`,
      generated: true,
      credential,
    };
    // Mostly milking cows, with the dry share of a typical herd (about one in six), when groups exist.
    const group = groups.length === 0 ? undefined : pickGroup(groups, n);
    if (group !== undefined) collar.group = group;
    collars.push(collar);
  }
}

function pickGroup(groups: string[], n: number): string {
  if (n % 6 === 0 && groups.includes('dry')) return 'dry';
  if (n % 9 === 0 && groups.includes('heifers')) return 'heifers';
  return groups.includes('milking') ? 'milking' : (groups[n % groups.length] as string);
}
