import { failed, loading, replace } from '../dom';

/** One page of the console: its element and a refresh the shell calls every few seconds. */
export interface PageView {
  element: HTMLElement;
  refresh(): Promise<void>;
  /** false: loaded once per visit (the mapping reads amoCRM live on every load). */
  auto?: boolean;
}

/**
 * The loading → content / error cycle every page shares. The first load shows "Loading…";
 * later refreshes swap the content only when new data has arrived, so nothing flickers.
 */
export function dataRegion<T>(
  what: string,
  load: () => Promise<T>,
  draw: (data: T) => Node[],
): { element: HTMLElement; refresh(): Promise<void> } {
  const element = document.createElement('div');
  element.className = 'region';
  replace(element, loading(what));
  let inFlight = false;
  const refresh = async (): Promise<void> => {
    if (inFlight) return;
    inFlight = true;
    try {
      const data = await load();
      replace(element, ...draw(data));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      replace(
        element,
        failed(`Could not load ${what}: ${message}`, () => void refresh()),
      );
    } finally {
      inFlight = false;
    }
  };
  return { element, refresh };
}
