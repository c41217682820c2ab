import { locationService } from '@grafana/runtime';
import { useEffect, useState } from 'react';

/** The current path and query, re-rendering on every navigation through Grafana's location service. */
export function useLocation(): { pathname: string; search: Record<string, unknown> } {
  const read = () => ({
    pathname: locationService.getLocation().pathname,
    search: locationService.getSearchObject(),
  });
  const [loc, setLoc] = useState(read);
  useEffect(() => locationService.getHistory().listen(() => setLoc(read())), []);
  return loc;
}
