// Entry point of the record detail page.
import { initBeforeAfter } from "./before-after-slider.js";
import { initRatingForm } from "./rating-form.js";

initBeforeAfter();
initRatingForm();
