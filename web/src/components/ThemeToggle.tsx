/** Light, dark, or the system's choice (the default), remembered in this browser. */
import { useEffect, useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const KEY = 'workbench.theme';

const apply = (theme: Theme) => {
  const dark = theme === 'dark' || (theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
};

export const currentTheme = (): 'light' | 'dark' => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

export const ThemeToggle = () => {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem(KEY) as Theme | null) ?? 'system');
  useEffect(() => {
    apply(theme);
    localStorage.setItem(KEY, theme);
    const media = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => apply(theme);
    media.addEventListener('change', onChange);
    window.dispatchEvent(new Event('workbench-theme'));
    return () => media.removeEventListener('change', onChange);
  }, [theme]);
  return (
    <label className="theme-toggle">
      <span className="visually-hidden">Theme</span>
      <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)} aria-label="Theme">
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
};
