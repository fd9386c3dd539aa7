// A run's, task's or data test's state as a badge: a glyph, a Korean label
// and a colour (palette.js STATE_CUES), so the state never rests on colour
// alone. The glyph is decoration for screen readers (aria-hidden); the label
// carries the meaning, and the raw state stays in data-state for tests.
import { element } from './dom.js';
import { stateCue } from './palette.js';

export function stateBadge(state) {
  const cue = stateCue(state);
  const badge = element('span', 'state-badge');
  badge.dataset.state = state;
  badge.style.setProperty('--state-colour', cue.colour);
  const glyph = element('span', 'state-glyph', cue.glyph);
  glyph.setAttribute('aria-hidden', 'true');
  badge.append(glyph, element('span', 'state-label', cue.label));
  return badge;
}
