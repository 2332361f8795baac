import { Monitor, Moon, Sun } from 'lucide-react';
import { THEME_LABELS, nextThemeChoice, useThemeChoice, type ThemeChoice } from '../../lib/theme';
import { Button } from './Button';

const ICONS: Record<ThemeChoice, typeof Sun> = { system: Monitor, light: Sun, dark: Moon };

/**
 * The header's colour theme switch, kept per user: each press moves system → light → dark → system.
 * It says the current choice (its name, and in words from `sm` up) and what a press does.
 */
export function ThemeToggle({ userId }: { userId: string }) {
  const { choice, setChoice } = useThemeChoice(userId);
  const Icon = ICONS[choice];
  const next = nextThemeChoice(choice);
  return (
    <Button
      size="sm"
      variant="ghost"
      data-testid="theme-toggle"
      data-theme-choice={choice}
      aria-label={`Theme: ${THEME_LABELS[choice]} (switch to ${THEME_LABELS[next].toLowerCase()})`}
      title={`Theme: ${THEME_LABELS[choice]}. Press for ${THEME_LABELS[next].toLowerCase()}.`}
      onClick={() => setChoice(next)}
      icon={<Icon aria-hidden className="size-4" />}
    >
      <span aria-hidden className="hidden lg:inline">
        {THEME_LABELS[choice]}
      </span>
    </Button>
  );
}
