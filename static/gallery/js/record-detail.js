// Entry point of the record detail page.
import { initBeforeAfter } from "./before-after-slider.js";

initBeforeAfter();
