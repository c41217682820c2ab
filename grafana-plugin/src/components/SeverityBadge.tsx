import { Badge } from '@grafana/ui';
import type { Severity } from '../api/types';

const COLORS = { critical: 'red', warning: 'orange', info: 'blue' } as const;

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge text={severity} color={COLORS[severity]} />;
}
