//! `leadflow eval`: scores message analysis on a labelled JSONL file.

use std::io::Write;
use std::path::Path;

use super::Engine;

pub(super) async fn eval(file: &Path, engine: Engine, misses: bool) -> Result<(), String> {
    use crate::ai::eval::{parse_jsonl, score};
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let examples = parse_jsonl(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let ai = match engine {
        Engine::Rules => crate::ai::Ai::rules(),
        Engine::Openai => {
            let settings = crate::config::openai_from_env()
                .map_err(|e| e.to_string())?
                .ok_or("--engine openai needs OPENAI_API_KEY")?;
            crate::ai::Ai::openai(crate::ai::openai::OpenAiEngine::new(&settings).map_err(|e| e.to_string())?)
        }
    };
    let mut pairs = Vec::with_capacity(examples.len());
    for example in &examples {
        let analysis = ai.analyzer.analyze(&example.input()).await.map_err(|e| format!("{}: {e}", example.id))?;
        pairs.push((example, analysis));
    }
    // Written in one go, ignoring a closed pipe (`leadflow eval ... | head`).
    let mut out = String::new();
    if misses {
        for (e, a) in &pairs {
            let mut wrong = Vec::new();
            if a.intent != e.intent {
                wrong.push(format!("intent {} (want {}, confidence {:.2})", a.intent, e.intent, a.confidence));
            }
            if a.team != e.team {
                wrong.push(format!("team {} (want {})", a.team, e.team));
            }
            if a.urgency != e.urgency {
                wrong.push(format!("urgency {} (want {})", a.urgency, e.urgency));
            }
            if a.entities != e.entities {
                wrong.push(format!("entities {:?} (want {:?})", a.entities, e.entities));
            }
            if !wrong.is_empty() {
                out.push_str(&format!("{}: {}\n    {}\n", e.id, wrong.join("; "), e.message.text.replace('\n', " ")));
            }
        }
    }
    let scores = score(&pairs);
    out.push_str(&format!("{} ({} engine)\n{scores}\n", file.display(), ai.engine));
    out.push_str(&format!(
        "intent={:.2} team={:.2} urgency={:.2} entity_f1={:.2}\n",
        scores.intent, scores.team, scores.urgency, scores.entity_f1
    ));
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}
