package org.ami.komora.ui

import org.ami.komora.core.CaseworkLists
import org.ami.komora.core.Instrument
import org.ami.komora.core.Term
import org.ami.komora.core.caseworkLists
import org.ami.komora.core.instruments

/** The core's shipped lists and instruments, read once (they are data in the core). */
object Lists {
    private val lists: CaseworkLists by lazy { caseworkLists() }

    /** Every instrument version the core knows; screens give the latest of each. */
    val instruments: List<Instrument> by lazy {
        org.ami.komora.core.instruments().groupBy { it.id }.map { (_, versions) -> versions.maxBy { it.version } }
    }

    fun get(): CaseworkLists = lists

    /** Any list's term by its id (ids are unique across lists, "other" aside). */
    val terms: Map<String, Term> by lazy {
        listOf(
            lists.problems, lists.modalities, lists.interventions, lists.referralDestinations,
            lists.riskFlags, lists.consentScopes, lists.relations, lists.groupKinds, lists.groupPhases,
        ).flatten().associateBy { it.id }
    }

    fun instrumentName(id: String): String = instruments.firstOrNull { it.id == id }?.name ?: id.uppercase()
}
