use super::Outcome;
use crate::flags::{InspectArgs, InspectFormat};

pub fn run(args: &InspectArgs) -> anyhow::Result<Outcome> {
    let inspection = radcheck_io::dicom::inspect(&args.path)?;
    let out = match args.format {
        InspectFormat::Text => format!("{inspection}\n"),
        InspectFormat::Json => format!("{}\n", serde_json::to_string_pretty(&inspection)?),
    };
    crate::output::emit(None, out.as_bytes())?;
    Ok(Outcome::Pass)
}
