//! `demo` plays a whole P1 incident against the emulator and prints what
//! Slack saw at each stage, and what the public saw on the status page.

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
        "— published on the status page",
        "@U0ALICE published to the status page (*Investigating*)",
        "status page    public  Apps unavailable in London (investigating, impact critical)",
        "components: Apps major outage",
        "Last public update on the status page: Tue 24 Nov 2026 15:55 GMT (Investigating).",
        "INC-1 is still open on the status page",
        "— resolved on the status page",
        "@U0ALICE published to the status page (*Resolved*)",
        "status page    public  Apps unavailable in London (resolved, impact critical)",
        "components: Apps operational",
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
    // Each public update is printed once, and only the two were sent.
    assert_eq!(transcript.matches("status page    public").count(), 2);
    assert!(!transcript.contains("while the bot was not running"));
}
