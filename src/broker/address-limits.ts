/**
 * Per-address limits of the embedded broker: how many connections one address may hold open, and
 * how many failed logins it may make before its logins are refused for a while (doubling each time
 * it starts again, so a password guesser slows to a crawl). Pure bookkeeping over a clock.
 *
 * Collars behind one NAT router share an address: the defaults leave room for a whole farm, and a
 * successful login never lifts a block, or a guesser could hide behind one good collar.
 */

export interface AddressLimitSettings {
  maxConnectionsPerAddress: number;
  /** Failed logins allowed per address within `loginFailureWindowMs` before its logins are blocked. */
  loginFailuresPerAddress: number;
  loginFailureWindowMs: number;
  /** First block; each new block of the same address doubles it, up to `maxLoginBlockMs`. */
  loginBlockMs: number;
  maxLoginBlockMs: number;
}

interface AddressState {
  connections: number;
  /** Times of failures in the current window. */
  failures: number[];
  blockedUntil: number;
  /** The next block's length (doubles while the address keeps failing). */
  nextBlockMs: number;
  /** When the address was last active; idle entries are forgotten. */
  lastSeen: number;
}

/** `current` is read at each decision, so a config reload applies to the next connection or login. */
export function createAddressLimits(current: () => AddressLimitSettings, now: () => number = Date.now) {
  const byAddress = new Map<string, AddressState>();

  function state(address: string): AddressState {
    let s = byAddress.get(address);
    if (!s) {
      s = {
        connections: 0,
        failures: [],
        blockedUntil: 0,
        nextBlockMs: current().loginBlockMs,
        lastSeen: now(),
      };
      byAddress.set(address, s);
    }
    s.lastSeen = now();
    return s;
  }

  /** Forgets addresses with no connection and no block for a while, so the map stays small. */
  function forgetIdle(): void {
    const t = now();
    const settings = current();
    const idleMs = Math.max(settings.maxLoginBlockMs, settings.loginFailureWindowMs) * 2;
    for (const [address, s] of byAddress) {
      if (s.connections === 0 && s.blockedUntil < t && t - s.lastSeen > idleMs) byAddress.delete(address);
    }
  }

  return {
    /** Counts a new connection; false (and not counted) when the address already holds the maximum. */
    openConnection(address: string): boolean {
      const s = state(address);
      if (s.connections >= current().maxConnectionsPerAddress) return false;
      s.connections += 1;
      return true;
    },
    closeConnection(address: string): void {
      const s = byAddress.get(address);
      if (!s) return;
      if (s.connections > 0) s.connections -= 1;
      if (s.connections === 0 && s.failures.length === 0 && s.blockedUntil === 0) byAddress.delete(address);
    },
    /** Milliseconds left on the address's login block, 0 when it may try to log in. */
    loginBlockedForMs(address: string): number {
      const s = byAddress.get(address);
      return s ? Math.max(0, s.blockedUntil - now()) : 0;
    },
    /** Records a failed login; returns the block started by it in ms (0 when the address may go on). */
    loginFailed(address: string): number {
      const s = state(address);
      const t = now();
      const settings = current();
      s.failures = s.failures.filter((at) => t - at < settings.loginFailureWindowMs);
      s.failures.push(t);
      if (s.failures.length < settings.loginFailuresPerAddress) return 0;
      // A quiet spell as long as the last block resets the backoff; a guesser that keeps going doubles it.
      if (t - s.blockedUntil > s.nextBlockMs) s.nextBlockMs = settings.loginBlockMs;
      const blockMs = s.nextBlockMs;
      s.blockedUntil = t + blockMs;
      s.nextBlockMs = Math.min(settings.maxLoginBlockMs, blockMs * 2);
      s.failures = [];
      if (byAddress.size > 10_000) forgetIdle();
      return blockMs;
    },
    forgetIdle,
    /** Addresses tracked (for tests and metrics). */
    size: () => byAddress.size,
  };
}

export type AddressLimits = ReturnType<typeof createAddressLimits>;
