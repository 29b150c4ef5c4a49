/**
 * Imported before a suite, makes it load every plugin worker-backed (two
 * workers, so that calls spread over more than one).
 */

import { modeOptions } from "./_plugin_mode.ts";

modeOptions.workers = 2;
