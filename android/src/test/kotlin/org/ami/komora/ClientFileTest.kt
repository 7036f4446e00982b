package org.ami.komora

import java.nio.file.Path
import java.time.LocalDate
import kotlinx.coroutines.runBlocking
import org.ami.komora.core.CaseloadFilter
import org.ami.komora.core.KdfStrength
import org.ami.komora.core.KomoraException
import org.ami.komora.core.KomoraVault
import org.ami.komora.core.NewCase
import org.ami.komora.core.NewClient
import org.ami.komora.core.NewConsent
import org.ami.komora.core.NewGroup
import org.ami.komora.core.NewReferral
import org.ami.komora.core.caseworkLists
import org.ami.komora.core.createVault
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** A client's file as the screens show it: household, consent, referrals, follow-ups, groups. */
class ClientFileTest {
    @TempDir
    lateinit var tmp: Path

    private fun vault(): KomoraVault = runBlocking {
        createVault(tmp.resolve("v").toString(), PIN, KdfStrength.INSECURE_FOR_TESTS, null)
    }

    private fun KomoraVault.inDays(n: Long): String = LocalDate.parse(today()).plusDays(n).toString()

    @Test
    fun `a mother and her son, a guardian's consent and a referral to Isange make one client file`() {
        vault().use { v ->
            val today = v.today()
            val mother = v.addClient(NewClient(name = "Mukandayisenga Claudine", sex = "F", birthYear = 1985))
            val son = v.addClient(NewClient(name = "Niyonzima Eric", sex = "M", birthYear = 2014))
            // She is his parent; from her side he is her child.
            v.linkClients(son, mother, "parent")
            val hers = v.household(mother).single()
            assertEquals(Triple(son, "Niyonzima Eric", "child"), Triple(hers.clientId, hers.name, hers.relation))
            val his = v.household(son).single()
            assertEquals(Triple(mother, "Mukandayisenga Claudine", "parent"), Triple(his.clientId, his.name, his.relation))

            // He is under 16: his mother consents for him; he cannot alone.
            v.addConsent(NewConsent(clientId = son, scope = "services", language = "rw", guardianName = "Mukandayisenga Claudine"))
            val alone = assertThrows(KomoraException.Validation::class.java) {
                v.addConsent(NewConsent(clientId = son, scope = "data-recording", language = "rw"))
            }
            assertEquals("given_by", alone.field)
            val consent = v.consents(son).single()
            assertTrue(consent.byGuardian)
            assertEquals("Mukandayisenga Claudine", consent.guardianName)
            assertEquals(Triple("services", "rw", today), Triple(consent.scope, consent.language, consent.date))
            assertFalse(consent.withdrawn)
            val standing = v.consentStanding(son).associateBy { it.scope }
            assertEquals(caseworkLists().consentScopes.map { it.id }, v.consentStanding(son).map { it.scope })
            assertTrue(standing.getValue("services").given)
            assertFalse(standing.getValue("sharing").given)
            assertNull(standing.getValue("sharing").date)

            // She agrees to her file being shared and is referred to Isange, follow-up in a week.
            v.addConsent(NewConsent(clientId = mother, scope = "sharing", language = "fr"))
            val case = v.addCase(NewCase(clients = listOf(mother), problems = listOf("violence")))
            val referral = v.addReferral(
                NewReferral(
                    clientId = mother, caseId = case, destination = "isange",
                    organisation = "Isange One Stop Centre, Huye", reason = "Violence at home",
                    followUp = v.inDays(7),
                )
            )
            val r = v.referralsOf(mother).single()
            assertEquals(referral, r.id)
            assertEquals(Triple("isange", "pending", v.inDays(7)), Triple(r.destination, r.status, r.followUp))
            assertEquals("Isange One Stop Centre, Huye", r.organisation)
            assertEquals("Violence at home", r.reason)
            assertEquals(case, r.caseId)
            assertFalse(r.overdue)
            assertTrue(v.referralsOf(son).isEmpty())

            // Her file: the follow-up is due within two weeks, the case in the caseload, all in the timeline.
            val due = v.followUps(14, false).single()
            assertEquals(listOf("referral", referral, mother, v.inDays(7)), listOf(due.kind, due.recordId, due.clientId, due.due))
            assertTrue(v.followUps(3, false).isEmpty())
            assertEquals(case, v.caseload(CaseloadFilter()).single().caseInfo.id)
            assertEquals(1, v.caseload(CaseloadFilter(everyone = true, status = "open")).size)
            assertTrue(v.caseload(CaseloadFilter(status = "closed")).isEmpty())
            assertEquals(setOf("case", "consent", "referral"), v.timeline(mother).map { it.kind }.toSet())

            // Isange accepts; the follow-up is done with.
            v.updateReferral(referral, "accepted", null, true)
            val accepted = v.referralsOf(mother).single()
            assertEquals("accepted", accepted.status)
            assertNull(accepted.followUp)
            assertTrue(v.followUps(14, false).isEmpty())

            // She withdraws consent to sharing: it shows as withdrawn and no new referral is possible.
            v.addConsent(NewConsent(clientId = mother, scope = "sharing", withdrawn = true, language = "fr"))
            val latest = v.consents(mother).first()
            assertTrue(latest.withdrawn)
            assertFalse(latest.byGuardian)
            assertFalse(v.consentStanding(mother).single { it.scope == "sharing" }.given)
            assertEquals(today, v.consentStanding(mother).single { it.scope == "sharing" }.date)
            val refused = assertThrows(KomoraException.ConsentWithdrawn::class.java) {
                v.addReferral(NewReferral(clientId = mother, destination = "legal-aid"))
            }
            assertEquals("sharing", refused.scope)

            // Unlinked, neither shows the other.
            v.unlinkClients(mother, son)
            assertTrue(v.household(mother).isEmpty() && v.household(son).isEmpty())

            // Nothing personal is printed by a record: names, partners and reasons stay out of logs.
            val printed = listOf(
                consent, r, hers,
                NewConsent(clientId = son, scope = "services", language = "rw", guardianName = "Mukandayisenga Claudine"),
                NewReferral(clientId = mother, destination = "isange", organisation = "Isange One Stop Centre, Huye", reason = "Violence at home"),
            ).joinToString(" ") { "$it" }
            for (secret in listOf("Mukandayisenga", "Niyonzima", "Isange One Stop", "Violence")) {
                assertTrue(secret !in printed, "printed $printed")
            }
        }
    }

    @Test
    fun `a healing group of three holds its first session, two come, and the late one is flagged for referral`() {
        vault().use { v ->
            val (alice, beata, chantal) = listOf("Uwimana Alice", "Mukamana Beata", "Ingabire Chantal")
                .map { v.addClient(NewClient(name = it, sex = "F", birthYear = 1970)) }
            val group = v.addGroup(
                NewGroup(name = "Twisungane Huye", kind = "healing-group", facilitators = listOf("Mukeshimana Grace"), members = listOf(alice, beata))
            )
            v.addGroupMember(group, chantal)
            val g = v.group(group)
            assertEquals(setOf(alice, beata, chantal), g.members.toSet())
            assertEquals(Triple("Twisungane Huye", "healing-group", 15), Triple(g.name, g.kind, g.cycleLength))
            assertEquals(listOf("Mukeshimana Grace"), g.facilitators)
            assertEquals(v.today(), g.started)
            assertEquals(listOf(group), v.groups().map { it.id })

            // Session 1 takes the first phase of the cycle by default.
            val firstPhase = caseworkLists().groupPhases.first().id
            assertEquals(firstPhase, v.defaultPhase(group, 1))
            val session = v.addGroupSession(group, 1, null, null, "Each said what safety means at home.")
            v.markAttendance(session, alice, true)
            v.markAttendance(session, beata, true)
            var s = v.groupSessions(group).single()
            assertEquals(Triple(session, 1, firstPhase), Triple(s.id, s.number, s.phase))
            assertEquals("Each said what safety means at home.", s.notes)
            assertEquals(setOf(alice, beata), s.attendance.toSet())

            // Chantal was not there: she cannot be flagged until she is marked present.
            val absent = assertThrows(KomoraException.Validation::class.java) { v.flagForReferral(session, chantal) }
            assertEquals("flagged", absent.field)
            v.markAttendance(session, chantal, true)
            v.flagForReferral(session, chantal)
            s = v.groupSessions(group).single()
            assertEquals(3, s.attendance.size)
            assertEquals(listOf(chantal), s.flagged)
            assertTrue(v.timeline(chantal).any { it.kind == "group-session" && it.recordId == session })

            val printed = "$g $s ${NewGroup(name = "Twisungane Huye", kind = "healing-group", facilitators = listOf("Mukeshimana Grace"))}"
            for (secret in listOf("Twisungane", "Mukeshimana", "safety means")) {
                assertTrue(secret !in printed, "printed $printed")
            }
        }
    }

    @Test
    fun `words and numbers outside the lists are refused with the field named`() {
        vault().use { v ->
            val a = v.addClient(NewClient(name = "Habimana Jean"))
            val b = v.addClient(NewClient(name = "Habimana Paul"))
            val relation = assertThrows(KomoraException.Validation::class.java) { v.linkClients(a, b, "cousin-in-law") }
            assertEquals("relation", relation.field)
            val destination = assertThrows(KomoraException.Validation::class.java) {
                v.addReferral(NewReferral(clientId = a, destination = "witch-doctor"))
            }
            assertEquals("destination", destination.field)
            val language = assertThrows(KomoraException.Validation::class.java) {
                v.addConsent(NewConsent(clientId = a, scope = "services", language = "sw"))
            }
            assertEquals("language", language.field)
            assertEquals("days", assertThrows(KomoraException.Validation::class.java) { v.followUps(-1, false) }.field)
            assertEquals("risk_level", assertThrows(KomoraException.Validation::class.java) { v.caseload(CaseloadFilter(risk = "extreme")) }.field)

            val group = v.addGroup(NewGroup(name = "Dialogue", kind = "dialogue-space", facilitators = listOf("Grace"), members = listOf(a)))
            // 257 would wrap to session 1 in a byte: it is refused instead, as is 16 of 15.
            for (n in listOf(257, -1, 16)) {
                val e = assertThrows(KomoraException.Validation::class.java) { v.addGroupSession(group, n, null, null, null) }
                assertEquals("number", e.field)
            }
            assertEquals("number", assertThrows(KomoraException.Validation::class.java) { v.defaultPhase(group, 256) }.field)
            assertEquals("cycle_length", assertThrows(KomoraException.Validation::class.java) {
                v.addGroup(NewGroup(name = "Long", kind = "healing-group", facilitators = listOf("Grace"), cycleLength = 271))
            }.field)
            assertTrue(v.groupSessions(group).isEmpty())
            assertTrue(v.household(a).isEmpty() && v.referralsOf(a).isEmpty() && v.consents(a).isEmpty())
        }
    }
}
