import { PLUGIN_BASE_URL } from '../constants';

/** Absolute app URL of a page route, e.g. `/a/okome-slo-app/topology`. */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}
