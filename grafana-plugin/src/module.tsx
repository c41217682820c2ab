import { AppPlugin } from '@grafana/data';
import { App } from './components/App';
import type { AppSettings } from './components/app-context';
import { AppConfig } from './components/AppConfig';

export const plugin = new AppPlugin<AppSettings>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
