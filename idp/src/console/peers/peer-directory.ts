import { SERVICE_NAMES, type ServiceName } from '../../config/schema.js';
import { answerJson, askPeer, unreachable, type PeerOptions } from './peer-client.js';

/** A service a peer runs, as its `GET /api/services` lists it. */
export interface PeerService {
  name: ServiceName;
  url: string;
}

const CALL = { method: 'GET', path: '/api/services' } as const;

/**
 * Which services each peer console's process runs, learnt from the peer's own `GET /api/services`
 * when first needed (peers may still be starting when this console starts). An answer is kept;
 * a peer that did not answer is asked again next time, and a peer a forwarded call could not
 * reach is forgotten, so a restarted container is learnt afresh.
 */
export class PeerDirectory {
  private readonly known = new Map<string, Promise<PeerService[]>>();

  constructor(
    readonly peers: readonly string[],
    private readonly opts: PeerOptions,
  ) {}

  /** The services of one peer (its console among them). */
  services(peer: string): Promise<PeerService[]> {
    let p = this.known.get(peer);
    if (!p) {
      p = this.learn(peer);
      this.known.set(peer, p);
      const learning = p;
      learning.catch(() => {
        if (this.known.get(peer) === learning) this.known.delete(peer);
      });
    }
    return p;
  }

  /** Every peer's services, in the configured order; any peer that does not answer throws. */
  async all(): Promise<Array<{ peer: string; services: PeerService[] }>> {
    return Promise.all(this.peers.map(async (peer) => ({ peer, services: await this.services(peer) })));
  }

  /**
   * The first peer (configured order) whose process runs `service`, undefined when none does. When
   * no answering peer runs it and one did not answer, that one may be it: throws its error.
   */
  async running(service: ServiceName): Promise<string | undefined> {
    const settled = await Promise.allSettled(this.peers.map((peer) => this.services(peer)));
    const i = settled.findIndex((s) => s.status === 'fulfilled' && s.value.some((v) => v.name === service));
    if (i >= 0) return this.peers[i];
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return undefined;
  }

  forget(peer: string): void {
    this.known.delete(peer);
  }

  private async learn(peer: string): Promise<PeerService[]> {
    const answer = await askPeer(peer, CALL, this.opts);
    const list = (answerJson(answer) as { services?: unknown } | undefined)?.services;
    if (answer.status !== 200 || !Array.isArray(list) || !list.every(isListed)) {
      throw unreachable(peer, CALL, new Error(`answered ${answer.status} without a service list: is it an idp-harness console?`));
    }
    // A service this version does not know (a newer peer) is not routed to.
    return list.filter((s): s is PeerService => (SERVICE_NAMES as readonly string[]).includes(s.name));
  }
}

function isListed(v: unknown): v is { name: string; url: string } {
  const s = v as { name?: unknown; url?: unknown } | null;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.url === 'string';
}
