// The pieces every screen is built from, on the framework's own widgets (no AndroidX): an app
// bar, cards, buttons by rank (one primary per screen, secondary, text, destructive), fields
// with their label above and their error under, pickers, chips, empty states. Sizes are in sp
// and dp, so the tablet's font setting enlarges everything; every control is at least 48 dp
// and named for TalkBack. No field's text is ever saved in a Bundle.
package org.ami.komora.android

import android.app.Dialog
import android.content.Context
import android.graphics.Typeface
import android.text.Editable
import android.text.InputType
import android.text.TextWatcher
import android.util.TypedValue
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.view.inputmethod.EditorInfo
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.ImageButton
import android.widget.LinearLayout
import android.widget.RadioButton
import android.widget.ScrollView
import android.widget.TextView
import java.time.LocalDate
import org.ami.komora.ui.Choice
import org.ami.komora.ui.Line
import org.ami.komora.ui.Texts

/** A button's rank on its screen. The primary one is tagged so the screen tests can count it. */
internal enum class Rank { PRIMARY, SECONDARY, TEXT, DESTRUCTIVE, CONFIRM_DESTRUCTIVE }

/** [onTyping]: every keystroke counts as activity for the auto-lock, and keeps the draft soon. */
internal class Ui(
    val ctx: Context,
    val texts: () -> Texts,
    /** Today by the vault's clock (the calendar opens on it). */
    val today: () -> LocalDate = { LocalDate.now() },
    private val onTyping: () -> Unit = {},
) {
    fun dp(v: Int): Int = TypedValue.applyDimension(TypedValue.COMPLEX_UNIT_DIP, v.toFloat(), ctx.resources.displayMetrics).toInt()
    private fun dpf(v: Int): Float = dp(v).toFloat()

    private val medium: Typeface = Typeface.create("sans-serif-medium", Typeface.NORMAL)

    /** The dialogs open over the current screen (a confirmation, a picker, a calendar). */
    private val openDialogs = mutableSetOf<Dialog>()

    /**
     * A dialog shown over the current screen: it goes when the screen goes ([dismissDialogs]).
     * Left open, a dialog stayed above the PIN screen after a lock, hiding it, and its buttons
     * acted on a vault that was closed.
     */
    fun opened(dialog: Dialog) {
        openDialogs += dialog
        dialog.setOnDismissListener { openDialogs -= dialog }
    }

    /** Another screen (or the lock) replaces this one: its dialogs close with it. */
    fun dismissDialogs() {
        openDialogs.toList().forEach { it.dismiss() }
        openDialogs.clear()
    }

    private fun <V : TextView> text(view: V, sizeSp: Float, colour: Int = Palette.TEXT, bold: Boolean = false): V = view.apply {
        setTextSize(TypedValue.COMPLEX_UNIT_SP, sizeSp)
        setTextColor(colour)
        if (bold) typeface = medium
        // Long Kinyarwanda words break rather than run off the edge.
        breakStrategy = android.text.Layout.BREAK_STRATEGY_HIGH_QUALITY
        hyphenationFrequency = android.text.Layout.HYPHENATION_FREQUENCY_NORMAL
    }

    // ---- layout ----

    /** Children one under the other, with the screen's margins. */
    fun column(vararg children: View?, padding: Int = 16, gap: Int = 12): LinearLayout = LinearLayout(ctx).apply {
        orientation = LinearLayout.VERTICAL
        setPadding(dp(padding), dp(padding), dp(padding), dp(padding))
        children.filterNotNull().forEach { add(this, it, gap) }
    }

    /** Add [child] under what [column] holds, [gap] dp below the one before. */
    fun add(column: LinearLayout, child: View, gap: Int = 12) {
        // Buttons take the width of their words (Material's outlined and text buttons); the
        // rest spans the column.
        val lp = LinearLayout.LayoutParams(if (child is Button) WRAP_CONTENT else MATCH_PARENT, WRAP_CONTENT)
        if (column.childCount > 0) lp.topMargin = dp(gap)
        column.addView(child, lp)
    }

    fun stack(): LinearLayout = LinearLayout(ctx).apply { orientation = LinearLayout.VERTICAL }

    /** Side by side, sharing the width. */
    fun row(vararg children: View, gap: Int = 12): LinearLayout = LinearLayout(ctx).apply {
        orientation = LinearLayout.HORIZONTAL
        gravity = Gravity.CENTER_VERTICAL
        children.forEachIndexed { i, c ->
            addView(c, LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f).apply { if (i > 0) marginStart = dp(gap) })
        }
    }

    /** Side by side, each its own width, wrapping when the line is full. */
    fun flow(vararg children: View, gap: Int = 8): FlowRow = FlowRow(ctx, dp(gap)).apply { children.forEach { addView(it) } }

    /**
     * A whole screen: the app bar, the practice banner when it applies, the content scrolling
     * under them, and the bottom bar with the screen's main action, always in reach.
     */
    fun screen(bar: View, banner: View?, body: View, bottom: View?): View = LinearLayout(ctx).apply {
        orientation = LinearLayout.VERTICAL
        setBackgroundColor(Palette.BACKGROUND)
        addView(bar, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
        if (banner != null) addView(banner, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
        val scroll = ScrollView(ctx).apply {
            isFillViewport = true
            isSaveEnabled = false
            addView(body, ViewGroup.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
        }
        addView(scroll, LinearLayout.LayoutParams(MATCH_PARENT, 0, 1f))
        if (bottom != null) addView(bottom, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
    }

    /** The bar at the top: back (when there is somewhere to go back to), the title, actions. */
    fun appBar(title: String, back: String?, onBack: (() -> Unit)?, actions: List<Pair<String, () -> Unit>>): View =
        LinearLayout(ctx).apply {
            orientation = LinearLayout.HORIZONTAL
            gravity = Gravity.CENTER_VERTICAL
            setBackgroundColor(Palette.PRIMARY)
            minimumHeight = dp(64)
            setPadding(dp(if (onBack == null) 16 else 4), dp(4), dp(8), dp(4))
            if (onBack != null) {
                addView(
                    ImageButton(ctx).apply {
                        setImageDrawable(LineIcon(LineIcon.Kind.BACK, Palette.ON_PRIMARY, dp(24), dpf(2) + 0.5f))
                        background = Shapes.ripple(null, dpf(24))
                        contentDescription = back
                        setOnClickListener { onBack() }
                    },
                    LinearLayout.LayoutParams(dp(48), dp(48)).apply { marginEnd = dp(8) },
                )
            }
            addView(
                text(TextView(ctx), 21f, Palette.ON_PRIMARY, bold = true).apply {
                    this.text = title
                    isFocusable = true
                    isAccessibilityHeading = true
                },
                LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f),
            )
            for ((label, act) in actions) {
                addView(
                    text(Button(ctx, null, 0, 0), 16f, Palette.ON_PRIMARY, bold = true).apply {
                        this.text = label
                        isAllCaps = false
                        gravity = Gravity.CENTER
                        minHeight = dp(48)
                        minWidth = dp(64)
                        setPadding(dp(12), 0, dp(12), 0)
                        background = Shapes.ripple(null, dpf(8))
                        setOnClickListener { act() }
                    },
                    LinearLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT),
                )
            }
        }

    /** The practice team's mark, under the app bar on every one of its screens. */
    fun practiceBanner(text: String): TextView = text(TextView(ctx), 15f, Palette.PRACTICE_TEXT, bold = true).apply {
        this.text = text
        setBackgroundColor(Palette.PRACTICE_BG)
        setPadding(dp(16), dp(8), dp(16), dp(8))
    }

    /** A white card with a hairline border: a list row, or a section of a page. */
    fun card(vararg children: View?, onClick: (() -> Unit)? = null, gap: Int = 8): LinearLayout = LinearLayout(ctx).apply {
        orientation = LinearLayout.VERTICAL
        val shape = Shapes.rounded(Palette.SURFACE, dpf(12), Palette.OUTLINE, dp(1))
        background = if (onClick != null) Shapes.ripple(shape, dpf(12)) else shape
        setPadding(dp(16), dp(14), dp(16), dp(14))
        children.filterNotNull().forEach { add(this, it, gap) }
        if (onClick != null) {
            isClickable = true
            isFocusable = true
            minimumHeight = dp(56)
            setOnClickListener { onClick() }
        }
    }

    /** A card that leads somewhere, with a stripe of [tone] on its left and an arrow on its right. */
    fun rowCard(content: View, tone: Tone?, onClick: () -> Unit): View = LinearLayout(ctx).apply {
        orientation = LinearLayout.HORIZONTAL
        val shape = Shapes.rounded(Palette.SURFACE, dpf(12), Palette.OUTLINE, dp(1))
        background = Shapes.ripple(shape, dpf(12))
        isClickable = true
        isFocusable = true
        minimumHeight = dp(64)
        setOnClickListener { onClick() }
        addView(
            View(ctx).apply { background = Shapes.rounded(tone?.text ?: 0x00000000, dpf(3)) },
            LinearLayout.LayoutParams(dp(6), MATCH_PARENT).apply { setMargins(dp(6), dp(10), 0, dp(10)) },
        )
        addView(content, LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f).apply {
            setMargins(dp(10), dp(12), dp(4), dp(12))
            gravity = Gravity.CENTER_VERTICAL
        })
        addView(
            View(ctx).apply { background = LineIcon(LineIcon.Kind.FORWARD, Palette.TEXT_SECONDARY, dp(24), dpf(2)) },
            LinearLayout.LayoutParams(dp(24), dp(24)).apply {
                gravity = Gravity.CENTER_VERTICAL
                marginEnd = dp(12)
            },
        )
    }

    // ---- text ----

    /** A page's own heading (a client's name on her file). */
    fun title(text: String = ""): TextView = text(TextView(ctx), 26f, bold = true).apply {
        this.text = text
        isAccessibilityHeading = true
    }

    /** A section's heading inside a page. */
    fun heading(text: String): TextView = text(TextView(ctx), 19f, bold = true).apply {
        this.text = text
        isAccessibilityHeading = true
        setPadding(0, dp(8), 0, 0)
    }

    fun body(text: String = "", sizeSp: Float = 17f): TextView = text(TextView(ctx), sizeSp).apply { this.text = text }

    fun secondary(text: String = ""): TextView = text(TextView(ctx), 15f, Palette.TEXT_SECONDARY).apply { this.text = text }

    fun strong(text: String = "", sizeSp: Float = 18f): TextView = text(TextView(ctx), sizeSp, bold = true).apply { this.text = text }

    /** A message line: hidden while empty; an error is red on a pale red band. */
    fun message(error: Boolean = false): TextView = text(TextView(ctx), 16f, if (error) Palette.ERROR else Palette.TEXT).apply {
        visibility = View.GONE
        background = Shapes.rounded(if (error) Palette.ERROR_BG else Tone.INFO.background, dpf(8))
        if (!error) setTextColor(Tone.INFO.text)
        setPadding(dp(12), dp(10), dp(12), dp(10))
        accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
    }

    /** A small coloured label: a status, a risk, "Follow-up due". Not tappable. */
    fun chip(text: String, tone: Tone): TextView = text(TextView(ctx), 14f, tone.text, bold = true).apply {
        this.text = text
        background = Shapes.rounded(tone.background, dpf(14))
        setPadding(dp(10), dp(4), dp(10), dp(4))
    }

    /**
     * The small mark beside a text that is a draft (a translation or an instrument's text not
     * yet reviewed): seen as "(draft)", and said in full by TalkBack.
     */
    fun draftMark(mark: String, spoken: String): TextView = chip(mark, Tone.WARNING).apply {
        contentDescription = spoken
        importantForAccessibility = View.IMPORTANT_FOR_ACCESSIBILITY_YES
    }

    /** What an empty list means and what to do next. */
    fun emptyState(title: String, text: String?): View = card(
        strong(title),
        text?.let { secondary(it).apply { setTextSize(TypedValue.COMPLEX_UNIT_SP, 16f) } },
    )

    /** Label-value lines (a profile, a session's details), the label small above its value. */
    fun lines(container: LinearLayout, lines: List<Line>) {
        container.removeAllViews()
        for (l in lines) {
            add(container, stack().apply {
                addView(secondary(l.label))
                addView(body(l.value))
            }, 10)
        }
    }

    // ---- buttons ----

    fun button(text: String, rank: Rank = Rank.SECONDARY, onClick: () -> Unit): Button =
        text(Button(ctx, null, 0, 0), 17f, bold = true).apply {
            this.text = text
            isAllCaps = false
            gravity = Gravity.CENTER
            minHeight = dp(if (rank == Rank.TEXT) 48 else 52)
            minWidth = dp(64)
            setPadding(dp(20), dp(8), dp(20), dp(8))
            val radius = dpf(26)
            when (rank) {
                Rank.CONFIRM_DESTRUCTIVE -> {
                    background = Shapes.button(Palette.ERROR, radius)
                    setTextColor(Palette.ON_PRIMARY)
                }
                Rank.PRIMARY -> {
                    background = Shapes.button(Palette.PRIMARY, radius)
                    setTextColor(android.content.res.ColorStateList(
                        arrayOf(intArrayOf(-android.R.attr.state_enabled), intArrayOf()),
                        intArrayOf(Palette.DISABLED_TEXT, Palette.ON_PRIMARY),
                    ))
                    tag = Rank.PRIMARY
                }
                Rank.SECONDARY -> {
                    background = Shapes.button(Palette.SURFACE, radius, Palette.PRIMARY, dp(2))
                    setTextColor(enabledColours(Palette.PRIMARY))
                }
                Rank.TEXT -> {
                    background = Shapes.ripple(null, dpf(8))
                    setPadding(dp(12), dp(8), dp(12), dp(8))
                    setTextColor(enabledColours(Palette.PRIMARY))
                }
                Rank.DESTRUCTIVE -> {
                    // Red words, no fill: it never competes with the screen's main action; the
                    // question that follows asks before anything happens.
                    background = Shapes.ripple(null, dpf(8))
                    setPadding(dp(12), dp(8), dp(12), dp(8))
                    setTextColor(enabledColours(Palette.ERROR))
                }
            }
            setOnClickListener { onClick() }
        }

    fun primary(text: String, onClick: () -> Unit) = button(text, Rank.PRIMARY, onClick)

    private fun enabledColours(colour: Int) = android.content.res.ColorStateList(
        arrayOf(intArrayOf(-android.R.attr.state_enabled), intArrayOf()),
        intArrayOf(Palette.DISABLED_TEXT, colour),
    )

    /** The bar at the bottom of a form: its actions, the primary last (where the thumb is). */
    fun bottomBar(vararg buttons: View): View = LinearLayout(ctx).apply {
        orientation = LinearLayout.HORIZONTAL
        gravity = Gravity.END or Gravity.CENTER_VERTICAL
        // White, with a hairline above it that separates it from the page.
        background = android.graphics.drawable.LayerDrawable(
            arrayOf(android.graphics.drawable.ColorDrawable(Palette.OUTLINE), android.graphics.drawable.ColorDrawable(Palette.SURFACE)),
        ).apply { setLayerInsetTop(1, dp(1)) }
        setPadding(dp(16), dp(10), dp(16), dp(10))
        buttons.forEachIndexed { i, b ->
            addView(b, LinearLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT).apply { if (i > 0) marginStart = dp(12) })
        }
    }

    // ---- inputs ----

    /**
     * A text field with its label above (it stays there once the field is filled), an optional
     * hint inside, and its error under it. Every field may hold something personal, so none
     * lets the keyboard learn from it, autofill remember it, or the system save it in a Bundle.
     */
    fun field(label: String, type: Int = InputType.TYPE_CLASS_TEXT, hint: String? = null, onChange: (String) -> Unit): Field =
        Field(label, type, hint) { onChange(it.toString()) }

    /** Free text (names, notes): no suggestions either. */
    fun privateText(label: String, multiLine: Boolean = false, hint: String? = null, onChange: (String) -> Unit): Field {
        var type = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS
        if (multiLine) type = type or InputType.TYPE_TEXT_FLAG_MULTI_LINE
        return Field(label, type, hint) { onChange(it.toString()) }.apply {
            if (multiLine) {
                input.minLines = 4
                input.gravity = Gravity.TOP or Gravity.START
            }
        }
    }

    /** A PIN: digits, hidden; handed on as the field's own characters, never as a String. */
    fun pinField(label: String, onChange: (CharSequence) -> Unit): Field =
        Field(label, InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD, null, onChange).apply {
            // The password variation switches to a monospace face: keep the app's own.
            input.typeface = Typeface.DEFAULT
            input.letterSpacing = 0.2f
        }

    inner class Field(label: String, type: Int, hint: String?, onChange: (CharSequence) -> Unit) {
        val label: TextView = text(TextView(ctx), 15f, Palette.TEXT_SECONDARY, bold = true).apply { text = label }
        val input: EditText = text(PrivateEditText(ctx), 18f).apply {
            id = View.generateViewId()
            this.hint = hint
            setHintTextColor(Palette.TEXT_SECONDARY)
            inputType = type
            imeOptions = imeOptions or EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING
            importantForAutofill = View.IMPORTANT_FOR_AUTOFILL_NO
            isSaveEnabled = false
            freezesText = false
            minHeight = dp(52)
            setPadding(dp(14), dp(12), dp(14), dp(12))
            background = Shapes.field(dpf(8), dp(2), dp(2), error = false)
            addTextChangedListener(object : TextWatcher {
                override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) = Unit
                override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) = Unit
                override fun afterTextChanged(s: Editable?) {
                    if (syncing) return
                    onTyping()
                    onChange(s ?: "")
                }
            })
        }
        private val error: TextView = text(TextView(ctx), 15f, Palette.ERROR).apply {
            visibility = View.GONE
            accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
        }
        private var syncing = false
        private var errorShown: String? = null

        /** The label, the field and its error, to place in a screen. */
        val root: LinearLayout = stack().apply {
            this@Field.label.labelFor = input.id
            addView(this@Field.label)
            addView(input, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT).apply { topMargin = dp(6) })
            addView(error, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT).apply { topMargin = dp(4) })
        }

        /** Show the field's error under it (null: none); the field's line turns red. */
        fun error(message: String?) {
            if (message == errorShown) return
            errorShown = message
            error.text = message.orEmpty()
            error.visibility = if (message == null) View.GONE else View.VISIBLE
            input.background = Shapes.field(dpf(8), dp(2), dp(2), error = message != null)
            input.error = null
        }

        /** Put the state's value in without losing the cursor, and without it counting as typing. */
        fun sync(value: String) {
            if (input.text.toString() == value) return
            syncing = true
            input.setText(value)
            input.setSelection(input.text.length)
            syncing = false
        }

        var visible: Boolean
            get() = root.visibility == View.VISIBLE
            set(v) {
                root.visibility = if (v) View.VISIBLE else View.GONE
            }
    }

    fun check(text: String, checked: Boolean = false, onChange: (Boolean) -> Unit): CheckBox =
        text(CheckBox(ctx), 17f).apply {
            this.text = text
            isChecked = checked
            isSaveEnabled = false
            buttonTintList = android.content.res.ColorStateList.valueOf(Palette.PRIMARY)
            minHeight = dp(48)
            setPadding(dp(8), dp(6), 0, dp(6))
            setOnCheckedChangeListener { _, on -> onChange(on) }
        }

    /**
     * One of a few short choices, all visible (sex, where a session took place, the language
     * consent was explained in): radio buttons that wrap to the next line when they must.
     */
    fun choices(label: String, options: List<Choice>, selected: String?, onPick: (String) -> Unit): Choices =
        Choices(label, options, selected, onPick)

    inner class Choices(label: String, options: List<Choice>, selected: String?, private val onPick: (String) -> Unit) {
        private val buttons = options.map { o ->
            text(RadioButton(ctx), 17f).apply {
                text = o.label
                tag = o.id
                isSaveEnabled = false
                isChecked = o.id == selected
                buttonTintList = android.content.res.ColorStateList.valueOf(Palette.PRIMARY)
                minHeight = dp(48)
                setPadding(dp(6), 0, dp(16), 0)
            }
        }
        private val error = text(TextView(ctx), 15f, Palette.ERROR).apply { visibility = View.GONE }
        val root: LinearLayout = stack().apply {
            addView(text(TextView(ctx), 15f, Palette.TEXT_SECONDARY, bold = true).apply { text = label })
            addView(flow(*buttons.toTypedArray(), gap = 4))
            addView(error)
        }

        private var syncing = false

        init {
            for (b in buttons) {
                b.setOnCheckedChangeListener { _, on ->
                    if (!on || syncing) return@setOnCheckedChangeListener
                    buttons.filter { it !== b }.forEach { it.isChecked = false }
                    onPick(b.tag as String)
                }
            }
        }

        /**
         * Show the state's choice, without it counting as a pick: a screen drawn again (turned,
         * a new font size) would otherwise pick again what the state already holds.
         */
        fun select(id: String?) {
            syncing = true
            buttons.forEach { b -> if ((b.tag == id) != b.isChecked) b.isChecked = b.tag == id }
            syncing = false
        }

        fun error(message: String?) {
            error.text = message.orEmpty()
            error.visibility = if (message == null) View.GONE else View.VISIBLE
        }
    }

    /** A choice from a list (a problem, an instrument, a district): opens [Picker]'s dialog. */
    fun picker(label: String, choices: List<Choice>, selected: String?, searchable: Boolean = choices.size > 8, onPick: (String) -> Unit): PickerField =
        PickerField(label, choices, selected, searchable, onPick)

    inner class PickerField(
        private val label: String,
        private var choices: List<Choice>,
        private var selected: String?,
        private val searchable: Boolean,
        private val onPick: (String) -> Unit,
    ) {
        private val box: TextView = text(TextView(ctx), 18f).apply {
            isClickable = true
            isFocusable = true
            minHeight = dp(52)
            gravity = Gravity.CENTER_VERTICAL
            setPadding(dp(14), dp(12), dp(12), dp(12))
            background = Shapes.ripple(Shapes.field(dpf(8), dp(2), dp(2), error = false), dpf(8))
            setCompoundDrawablesRelativeWithIntrinsicBounds(null, null, LineIcon(LineIcon.Kind.DOWN, Palette.TEXT_SECONDARY, dp(24), dpf(2)), null)
            compoundDrawablePadding = dp(8)
            setOnClickListener { open() }
        }
        private val labelView = text(TextView(ctx), 15f, Palette.TEXT_SECONDARY, bold = true).apply { text = label }
        private val error = text(TextView(ctx), 15f, Palette.ERROR).apply { visibility = View.GONE }
        private var emptyText: String = ""
        val root: LinearLayout = stack().apply {
            addView(labelView)
            addView(box, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT).apply { topMargin = dp(6) })
            addView(error, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT).apply { topMargin = dp(4) })
        }

        init {
            show()
        }

        private fun open() {
            Picker(this@Ui, label, choices, selected, searchable) { id ->
                selected = id
                show()
                onPick(id)
            }.show()
        }

        private fun show() {
            val chosen = choices.firstOrNull { it.id == selected }
            box.text = chosen?.label ?: emptyText
            box.setTextColor(if (chosen == null) Palette.TEXT_SECONDARY else Palette.TEXT)
            box.contentDescription = "$label: ${chosen?.label ?: emptyText}"
        }

        /** New choices (a district chosen above changes the sectors offered) and the one chosen. */
        fun set(choices: List<Choice>, selected: String?, empty: String) {
            this.choices = choices
            this.selected = selected
            emptyText = empty
            box.isEnabled = choices.isNotEmpty()
            show()
        }

        fun error(message: String?) {
            error.text = message.orEmpty()
            error.visibility = if (message == null) View.GONE else View.VISIBLE
        }

        var visible: Boolean
            get() = root.visibility == View.VISIBLE
            set(v) {
                root.visibility = if (v) View.VISIBLE else View.GONE
            }
    }

    /** A date: looks like a picker; opens the app's calendar (DateDialog). */
    fun dateField(label: String, notSet: String, show: (String) -> String, onPick: (String) -> Unit): DateField = DateField(label, notSet, show, onPick)

    inner class DateField(private val label: String, private val notSet: String, private val format: (String) -> String, private val onPick: (String) -> Unit) {
        private var value: String = ""
        private val box: TextView = text(TextView(ctx), 18f).apply {
            isClickable = true
            isFocusable = true
            minHeight = dp(52)
            gravity = Gravity.CENTER_VERTICAL
            setPadding(dp(14), dp(12), dp(12), dp(12))
            background = Shapes.ripple(Shapes.field(dpf(8), dp(2), dp(2), error = false), dpf(8))
            setCompoundDrawablesRelativeWithIntrinsicBounds(null, null, LineIcon(LineIcon.Kind.DOWN, Palette.TEXT_SECONDARY, dp(24), dpf(2)), null)
            setOnClickListener { open() }
        }
        private val error = text(TextView(ctx), 15f, Palette.ERROR).apply { visibility = View.GONE }
        val root: LinearLayout = stack().apply {
            addView(text(TextView(ctx), 15f, Palette.TEXT_SECONDARY, bold = true).apply { text = label })
            addView(box, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT).apply { topMargin = dp(6) })
            addView(error)
        }

        init {
            set("")
        }

        private fun open() {
            val chosen = runCatching { LocalDate.parse(value) }.getOrNull()
            DateDialog(this@Ui, label, chosen, today()) { date ->
                val iso = date?.toString().orEmpty()
                set(iso)
                onPick(iso)
            }.show()
        }

        fun set(iso: String) {
            value = iso
            box.text = if (iso.isEmpty()) notSet else format(iso)
            box.setTextColor(if (iso.isEmpty()) Palette.TEXT_SECONDARY else Palette.TEXT)
            box.contentDescription = "$label: ${box.text}"
        }

        fun error(message: String?) {
            error.text = message.orEmpty()
            error.visibility = if (message == null) View.GONE else View.VISIBLE
        }
    }

    /** Ask before something that cannot be undone; the dangerous button is red. */
    fun confirm(message: String, confirmLabel: String, cancelLabel: String, onConfirm: () -> Unit) {
        val dialog = Dialog(ctx, android.R.style.Theme_Material_Light_Dialog_NoActionBar)
        val content = column(
            body(message, 18f),
            LinearLayout(ctx).apply {
                orientation = LinearLayout.HORIZONTAL
                gravity = Gravity.END
                addView(button(cancelLabel, Rank.TEXT) { dialog.dismiss() })
                addView(button(confirmLabel, Rank.CONFIRM_DESTRUCTIVE) {
                    dialog.dismiss()
                    onConfirm()
                }, LinearLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT).apply { marginStart = dp(12) })
            },
            padding = 24,
            gap = 20,
        ).apply { background = Shapes.rounded(Palette.SURFACE, dpf(16)) }
        dialog.setContentView(content)
        dialog.secureWindow()
        dialog.window?.setBackgroundDrawable(android.graphics.drawable.ColorDrawable(0))
        opened(dialog)
        dialog.show()
    }
}

internal fun TextView.show(text: String?) {
    this.text = text.orEmpty()
    visibility = if (text.isNullOrEmpty()) View.GONE else View.VISIBLE
}

internal var View.shown: Boolean
    get() = visibility == View.VISIBLE
    set(v) {
        visibility = if (v) View.VISIBLE else View.GONE
    }
