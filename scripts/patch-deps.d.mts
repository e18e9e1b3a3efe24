/** Types of scripts/patch-deps.mjs. */
export declare function patchDeps(root?: string): string[];
