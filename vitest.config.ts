import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'collector-processor/src/**/*.test.ts',
            'models/src/**/*.test.ts',
            'alertmanager-config/**/*.test.ts',
            'provisioning/**/*.test.ts',
            'deploy/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      'grafana-plugin/vitest.config.ts',
    ],
  },
});
