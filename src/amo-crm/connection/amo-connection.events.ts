import { Injectable } from '@nestjs/common';

type Listener = () => Promise<void> | void;

/**
 * "connected" / "disconnected", published by the connection flow after the grant is stored or
 * revoked. Whoever must react (the dispatcher releases held jobs, inbound starts following
 * changes and registers its webhook) subscribes here, so the connection flow knows none of
 * them. Listeners run one after another and are awaited: when the OAuth callback answers, the
 * webhook is registered. A listener that throws fails the publisher, as a direct call would.
 */
@Injectable()
export class AmoConnectionEvents {
  private readonly listeners = {
    connected: new Set<Listener>(),
    disconnected: new Set<Listener>(),
  };

  onConnected(listener: Listener): () => void {
    return this.add('connected', listener);
  }

  onDisconnected(listener: Listener): () => void {
    return this.add('disconnected', listener);
  }

  async publishConnected(): Promise<void> {
    await this.publish('connected');
  }

  async publishDisconnected(): Promise<void> {
    await this.publish('disconnected');
  }

  private add(event: keyof AmoConnectionEvents['listeners'], listener: Listener): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  private async publish(event: keyof AmoConnectionEvents['listeners']): Promise<void> {
    for (const listener of [...this.listeners[event]]) await listener();
  }
}
