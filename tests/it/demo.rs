//! `demo` plays a whole P1 incident against the emulator and prints what
//! Slack saw at each stage.

#[tokio::test]
async fn the_demo_plays_every_stage_of_a_p1() {
    let mut out = Vec::new();
    paas_incident_bot::demo::run(&mut out)
        .await
        .expect("the demo runs to the end");
    let transcript = String::from_utf8(out).unwrap();
    for needle in [
        "topic   bot: [On call: in hours @U0PAASEN4",
        "— declared",
        "message bot: INC-1: Apps not being served (P1)",
        "please acknowledge INC-1",
        "— acknowledged",
        "Acknowledged, being worked",
        "Routers restarted; error rate falling",
        "how is INC-1 going",
        "the next update on INC-1 is due",
        "an update on INC-1 is due now",
        "time to pause and document INC-1",
        "office hours are ending",
        "— resolved",
        "resolved INC-1",
        "DM @U0PAASEN4",
        "Incident report, as asked for by @U0ALICE",
        "Done.",
    ] {
        assert!(
            transcript.contains(needle),
            "missing {needle:?} in:\n{transcript}"
        );
    }
    // Each message is printed once, in the stage that produced it.
    assert_eq!(transcript.matches("please acknowledge INC-1").count(), 1);
    assert!(!transcript.contains("while the bot was not running"));
}
