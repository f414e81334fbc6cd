/// Errors of [`perturb`](crate::perturb) and of chain validation.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum PerturbError {
    /// Image and mask are not on the same grid.
    #[error(
        "mask geometry does not match the image (image dims {image:?}, mask dims {mask:?}): \
         give a mask on the image grid"
    )]
    GeometryMismatch {
        /// Image dimensions.
        image: [usize; 3],
        /// Mask dimensions.
        mask: [usize; 3],
    },
    /// The mask holds no voxel.
    #[error("the region of interest is empty: give a mask with at least one voxel")]
    EmptyMask,
    /// A geometric step (translation, rotation, resampling) left no voxel in the mask.
    #[error(
        "the region of interest became empty after step {step} ({kind}): the ROI is too small for \
         this perturbation"
    )]
    EmptyAfterStep {
        /// Position of the step in the chain (0-based).
        step: usize,
        /// The step's type, e.g. "translation".
        kind: &'static str,
    },
    /// A step's parameter is out of its range.
    #[error("invalid perturbation step {step} ({kind}): {message}")]
    InvalidStep {
        /// Position of the step in the chain (0-based).
        step: usize,
        /// The step's type, e.g. "noise".
        kind: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The chain has more steps than the random number streams are laid out for.
    #[error("a perturbation chain has at most {max} steps, found {found}")]
    TooManySteps {
        /// Steps in the chain.
        found: usize,
        /// The limit.
        max: usize,
    },
    /// No preset has this name.
    #[error("unknown perturbation preset `{name}`: choose one of {}", known.join(", "))]
    UnknownPreset {
        /// The name asked for.
        name: String,
        /// The preset names.
        known: Vec<&'static str>,
    },
    /// Resampling to a new voxel spacing failed (e.g. the new grid would be too large).
    #[error("resampling in step {step}")]
    Resample {
        /// Position of the step in the chain (0-based).
        step: usize,
        /// The interpolation error.
        #[source]
        source: radcheck_process::Error,
    },
}
