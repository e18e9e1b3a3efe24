/**
 * @module questions — the suggested recovery questions. Chosen for answers that are
 * stable over years, not found on social profiles, and not one of a handful of values.
 * The user may also write their own.
 */
export const SUGGESTED_QUESTIONS: readonly string[] = [
  'What was the name of your first pet?',
  'What is the name of the street you lived on at age ten?',
  'What was the first concert you went to?',
  'What is the middle name of your oldest cousin?',
  'What was the make and model of your first car or bicycle?',
  'In what town did your parents meet?',
  'What was the name of your favourite teacher at primary school?',
];
